// One cost per variant from every paired window of a run (see paired.mjs), not only from each
// round's ring. A round's ring links a server to the bare app through up to half the ring's
// windows, so in Fastify's ring of 17 servers a ratio carries the noise of eight windows and
// its per-round values spread over ±10 %; the median of eight of those still missed the A/A
// tolerance. Every round lays a new random ring, though, so over all rounds each variant was
// paired with most of the others: fitted together, those windows link it to the bare app along
// many short paths at once. Kept free of I/O so that it can be tested on its own.
import { median } from './stats.mjs'

/** Huber's tuning constant: residuals within 1.345 robust standard deviations count in full. */
const HUBER_K = 1.345
const ITERATIONS = 20

/**
 * `windows`: one `{ a, b, log }` per paired window, `log` being ln(CPU per request of `a` / that
 * of `b`) in that window. Returns each variant's CPU per request relative to `reference`'s, for
 * the variants the windows connect to it: the least-squares fit of one log-cost per variant to
 * every window, with Huber weights so that a window disturbed by the host counts less than a
 * clean one instead of pulling every variant it touches. Variants not connected to `reference`
 * get no ratio.
 */
export function fitPairs(windows, reference) {
  const reached = connectedTo(windows, reference)
  const used = windows.filter((w) => reached.has(w.a) && reached.has(w.b) && w.a !== w.b)
  const unknowns = [...reached].filter((v) => v !== reference)
  const index = new Map(unknowns.map((v, i) => [v, i]))
  let weights = used.map(() => 1)
  let levels = new Map([[reference, 0]])
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    levels = solve(used, weights, index, reference)
    const residuals = used.map((w) => w.log - (levels.get(w.a) - levels.get(w.b)))
    const scale = 1.4826 * median(residuals.map(Math.abs))
    if (!(scale > 0)) break
    const next = residuals.map((r) => Math.min(1, (HUBER_K * scale) / Math.abs(r)))
    const settled = next.every((w, i) => Math.abs(w - weights[i]) < 1e-9)
    weights = next
    if (settled) break
  }
  return new Map([...levels].map(([v, level]) => [v, Math.exp(level)]))
}

/** The variants some chain of windows links to `reference` (itself included). */
function connectedTo(windows, reference) {
  const reached = new Set([reference])
  let grew = true
  while (grew) {
    grew = false
    for (const { a, b } of windows) {
      if (reached.has(a) === reached.has(b)) continue
      reached.add(a)
      reached.add(b)
      grew = true
    }
  }
  return reached
}

/**
 * Weighted least squares for the log-costs, the reference's fixed at 0: the normal equations
 * (the windows' weighted graph Laplacian, without the reference's row and column), solved by
 * Gaussian elimination — a framework has at most a few dozen variants.
 */
function solve(windows, weights, index, reference) {
  const n = index.size
  const matrix = Array.from({ length: n }, () => new Array(n + 1).fill(0))
  windows.forEach((w, k) => {
    const weight = weights[k]
    const i = index.get(w.a)
    const j = index.get(w.b)
    // The equation level(a) − level(b) = log; the reference's level is the constant 0.
    if (i !== undefined) {
      matrix[i][i] += weight
      matrix[i][n] += weight * w.log
    }
    if (j !== undefined) {
      matrix[j][j] += weight
      matrix[j][n] -= weight * w.log
    }
    if (i !== undefined && j !== undefined) {
      matrix[i][j] -= weight
      matrix[j][i] -= weight
    }
  })
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let row = col + 1; row < n; row++)
      if (Math.abs(matrix[row][col]) > Math.abs(matrix[pivot][col])) pivot = row
    ;[matrix[col], matrix[pivot]] = [matrix[pivot], matrix[col]]
    for (let row = 0; row < n; row++) {
      if (row === col || matrix[row][col] === 0) continue
      const factor = matrix[row][col] / matrix[col][col]
      for (let c = col; c <= n; c++) matrix[row][c] -= factor * matrix[col][c]
    }
  }
  const levels = new Map([[reference, 0]])
  for (const [variant, i] of index) levels.set(variant, matrix[i][n] / matrix[i][i])
  return levels
}
