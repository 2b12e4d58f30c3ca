// Per-round cost ratios from paired windows laid out as a cycle (see paired.mjs): the servers of
// one framework in a random ring, each window measuring two neighbours at once on the same core.
// A window gives the ratio of its two servers' CPU per request; the ring links every server to
// the reference through them. Kept free of I/O so that it can be tested on its own.

/**
 * `ring`: the servers in cycle order; `steps[k]`: CPU per request of `ring[k]` and of
 * `ring[k + 1]` (wrapping) measured in the same window, or `undefined` when that window failed.
 * Returns each server's CPU per request relative to `reference`, for the servers the completed
 * windows connect to it.
 *
 * With every window complete, the log-ratios around the ring should sum to zero; what they sum
 * to is noise, spread evenly over the steps (the least-squares fit of one cost per server to the
 * ring's ratios). Failed windows cut the ring: the stretch holding the reference is walked
 * without that correction, and servers beyond it get no ratio that round.
 */
export function ringRatios(ring, steps, reference) {
  const n = ring.length
  const logs = steps.map((s) => (s === undefined ? undefined : Math.log(s.next / s.from)))
  const complete = logs.every((x) => x !== undefined)
  const correction = complete ? logs.reduce((a, b) => a + b, 0) / n : 0
  let begin = ring.indexOf(reference)
  if (begin < 0) return new Map()
  // Cut: back to the start of the reference's stretch, just after the missing step before it.
  if (!complete) while (logs[(begin - 1 + n) % n] !== undefined) begin = (begin - 1 + n) % n
  const level = new Map([[ring[begin], 0]])
  let at = 0
  for (let i = 0; i < n - 1; i++) {
    const k = (begin + i) % n
    if (logs[k] === undefined) break
    at += logs[k] - correction
    level.set(ring[(k + 1) % n], at)
  }
  const out = new Map()
  const base = level.get(reference)
  if (base === undefined) return out
  for (const [server, value] of level) out.set(server, Math.exp(value - base))
  return out
}
