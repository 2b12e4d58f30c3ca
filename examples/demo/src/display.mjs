import { TimerTotals } from './readback.mjs'

// biome-ignore lint/suspicious/noControlCharactersInRegex: it matches the ANSI colour codes this file writes
const ANSI = /\x1b\[[0-9;]*m/g
const useColor = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb'

const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text)
export const bold = paint('1')
export const dim = paint('2')
export const green = paint('32')
export const red = paint('31')
export const cyan = paint('36')

/** The narrowest layout the demo is designed for; wider terminals get more columns. */
export const MIN_WIDTH = 80

/**
 * The width to lay out for: a terminal's own (resized terminals included), otherwise `COLUMNS`
 * or 80. Never under 40: below that no table is readable anyway.
 */
export function outputWidth(stream = process.stdout, env = process.env) {
  const columns = stream.isTTY ? stream.columns : Number(env.COLUMNS)
  return Number.isInteger(columns) && columns > 0 ? Math.max(40, columns) : MIN_WIDTH
}

/** Width on screen: ANSI colour codes take none. Every character the demo prints is one column. */
export function visible(text) {
  return text.replace(ANSI, '').length
}

/** Cuts a line to `width` columns, marking the cut with `…` (the colours of a cut line are lost). */
export function cut(text, width) {
  if (visible(text) <= width) return text
  return `${text.replace(ANSI, '').slice(0, Math.max(0, width - 1))}…`
}

/**
 * Word-wraps plain text to `width` columns; every line starts with `indent`, continuation lines
 * with `hanging`. A word longer than a whole line (a statsd key) is broken across lines.
 */
export function wrap(text, width, indent = '  ', hanging = `${indent}  `) {
  const room = Math.max(1, width - hanging.length)
  const words = text
    .split(/ +/)
    .flatMap((word) =>
      visible(word) <= room
        ? [word]
        : (word.replace(ANSI, '').match(new RegExp(`.{1,${room}}`, 'g')) ?? []),
    )
  const lines = []
  let line = indent
  let empty = true
  for (const word of words) {
    if (!empty && visible(line) + 1 + visible(word) > width) {
      lines.push(line)
      line = hanging
      empty = true
    }
    line += empty ? word : ` ${word}`
    empty = false
  }
  lines.push(line)
  return lines.map((each) => cut(each, width))
}

/**
 * Columns: `{ title, right, drop, shrink }`; cells are strings. Returns the lines, header first,
 * none wider than `width`: while too wide, columns with a `drop` rank go (lowest rank first),
 * then the `shrink` column's cells are cut with `…`, then, as a last resort, the lines.
 */
export function formatTable(
  columns,
  rows,
  { indent = '  ', width = Number.POSITIVE_INFINITY } = {},
) {
  const widths = columns.map((column, index) =>
    Math.max(visible(column.title), ...rows.map((row) => visible(row[index] ?? ''))),
  )
  const total = (shown) =>
    indent.length + shown.reduce((sum, index) => sum + widths[index], 0) + 2 * (shown.length - 1)
  let shown = columns.map((_, index) => index)
  const droppable = columns
    .map((column, index) => ({ rank: column.drop, index }))
    .filter(({ rank }) => rank !== undefined)
    .sort((a, b) => a.rank - b.rank)
  for (const { index } of droppable) {
    if (total(shown) <= width) break
    shown = shown.filter((each) => each !== index)
  }
  const shrink = shown.find((index) => columns[index].shrink)
  if (shrink !== undefined && total(shown) > width) {
    widths[shrink] = Math.max(
      visible(columns[shrink].title),
      widths[shrink] - (total(shown) - width),
    )
  }
  const line = (cells) =>
    cut(
      indent +
        shown
          .map((index) => {
            const cell = cut(cells[index] ?? '', widths[index])
            const pad = ' '.repeat(widths[index] - visible(cell))
            return columns[index].right ? pad + cell : cell + pad
          })
          .join('  ')
          .trimEnd(),
      width,
    )
  return [bold(line(columns.map((column) => column.title))), ...rows.map(line)]
}

export function ms(value) {
  if (value === undefined || !Number.isFinite(value)) return '–'
  return value < 10 ? value.toFixed(1) : String(Math.round(value))
}

export function percent(part, whole) {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`
}

function byClass(row, statusClass) {
  let total = 0
  for (const [status, count] of row.byStatus) if (status[0] === statusClass) total += count
  return total
}

// What a narrow terminal loses first: p90 (p50 and p99 frame it), 2xx (requests minus the
// errors), then max.
const LATENCY_COLUMNS = [
  { title: 'p50', right: true },
  { title: 'p90', right: true, drop: 1 },
  { title: 'p99', right: true },
  { title: 'max', right: true, drop: 3 },
]

function latencyCells(timer) {
  return [
    ms(timer.quantile(0.5)),
    ms(timer.quantile(0.9)),
    ms(timer.quantile(0.99)),
    ms(timer.count > 0 ? timer.max : undefined),
  ]
}

function requestCells(row) {
  const serverErrors = byClass(row, '5')
  return [
    String(row.requests),
    String(byClass(row, '2')),
    String(byClass(row, '4')),
    String(serverErrors),
    percent(serverErrors, row.requests),
    ...latencyCells(row.latency),
  ]
}

const REQUEST_COLUMNS = [
  { title: 'requests', right: true },
  { title: '2xx', right: true, drop: 2 },
  { title: '4xx', right: true },
  { title: '5xx', right: true },
  { title: 'errors', right: true },
  ...LATENCY_COLUMNS,
]

/** The live view: every app's routes in one table (an app's name above its routes). */
export function liveTable(apps, width) {
  const rows = []
  for (const { app, summary } of apps) {
    if (summary.routes.length > 0) rows.push([bold(app.name)])
    for (const row of summary.routes) {
      rows.push([`  ${row.method} ${row.route}`, ...requestCells(row)])
    }
  }
  const columns = [{ title: 'route', shrink: true }, ...REQUEST_COLUMNS]
  if (rows.length === 0)
    return [...formatTable(columns, [], { width }), dim('  (waiting for the first flush)')]
  return formatTable(columns, rows, { width })
}

/** The final view of one app: its routes with a total, then its execution timers. */
export function appTables(summary, width) {
  const total = { requests: 0, byStatus: new Map(), latency: new TimerTotals() }
  for (const row of summary.routes) {
    total.requests += row.requests
    for (const [status, count] of row.byStatus) {
      total.byStatus.set(status, (total.byStatus.get(status) ?? 0) + count)
    }
    total.latency.merge(row.latency)
  }
  const routeRows = summary.routes.map((row) => [row.route, row.method, ...requestCells(row)])
  routeRows.push(['all routes', '', ...requestCells(total)].map((cell) => bold(cell)))
  const lines = formatTable(
    [{ title: 'route', shrink: true }, { title: 'method' }, ...REQUEST_COLUMNS],
    routeRows,
    { indent: '  ', width },
  )
  if (summary.execution.length > 0) {
    lines.push('')
    lines.push(
      ...formatTable(
        [
          { title: 'execution timer' },
          { title: 'route', shrink: true },
          { title: 'method' },
          { title: 'count', right: true },
          ...LATENCY_COLUMNS,
        ],
        summary.execution.map((row) => [
          row.name,
          row.route,
          row.method,
          String(row.timer.count),
          ...latencyCells(row.timer),
        ]),
        { indent: '  ', width },
      ),
    )
  }
  return lines
}

export function progressBar(fraction, width = 30) {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`
}

/** A frame that fits the screen: every line cut to the width, at most `rows - 1` lines. */
export function frameLines(lines, width, rows) {
  const fitted = lines.map((line) => cut(line, width))
  return fitted.length < rows ? fitted : [...fitted.slice(0, Math.max(1, rows - 2)), dim('  …')]
}

/**
 * Screen rows the lines take at this width: a line that was printed on a wider terminal
 * before a resize wraps into several.
 */
export function screenRows(lines, width) {
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(visible(line) / width)), 0)
}
