// Small statistics and formatting helpers for the report.

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export function min(xs) {
  const f = xs.filter((x) => Number.isFinite(x))
  return f.length ? Math.min(...f) : Number.NaN
}

export function max(xs) {
  const f = xs.filter((x) => Number.isFinite(x))
  return f.length ? Math.max(...f) : Number.NaN
}

/** A shuffled copy of `xs`; `random` as Math.random (a seeded one in tests). */
export function shuffle(xs, random = Math.random) {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

export function fmt(x, digits = 1) {
  if (x === undefined || x === null || Number.isNaN(x)) return '–'
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function fmtInt(x) {
  return fmt(x, 0)
}

/** `median (min–max)` */
export function spread(xs, digits = 1) {
  return `${fmt(median(xs), digits)} (${fmt(min(xs), digits)}–${fmt(max(xs), digits)})`
}

export function mdTable(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`]
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`)
  return lines.join('\n')
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Nearest-rank quantile (`q` in 0–1): with 50 samples, p99 is the largest. */
export function quantile(xs, q) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}
