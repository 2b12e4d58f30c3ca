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

/** Columns: `{ title, right }`; cells are strings. Returns the lines, header first. */
export function formatTable(columns, rows, indent = '  ') {
  const widths = columns.map((column, index) =>
    Math.max(visible(column.title), ...rows.map((row) => visible(row[index] ?? ''))),
  )
  const line = (cells) =>
    indent +
    cells
      .map((cell, index) => {
        const pad = ' '.repeat(widths[index] - visible(cell))
        return columns[index].right ? pad + cell : cell + pad
      })
      .join('  ')
      .trimEnd()
  return [bold(line(columns.map((column) => column.title))), ...rows.map(line)]
}

function visible(text) {
  return text.replace(ANSI, '').length
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

const LATENCY_COLUMNS = [
  { title: 'p50', right: true },
  { title: 'p90', right: true },
  { title: 'p99', right: true },
  { title: 'max', right: true },
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
  { title: '2xx', right: true },
  { title: '4xx', right: true },
  { title: '5xx', right: true },
  { title: 'errors', right: true },
  ...LATENCY_COLUMNS,
]

/** The live view: every app's routes in one table, so it fits a terminal. */
export function liveTable(apps) {
  const rows = []
  for (const { app, summary } of apps) {
    for (const row of summary.routes) {
      rows.push([app.name, `${row.method} ${row.route}`, ...requestCells(row)])
    }
  }
  const columns = [{ title: 'app' }, { title: 'route' }, ...REQUEST_COLUMNS]
  if (rows.length === 0)
    return [...formatTable(columns, []), dim('  (waiting for the first flush)')]
  return formatTable(columns, rows)
}

/** The final view of one app: its routes with a total, then its execution timers. */
export function appTables(summary) {
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
    [{ title: 'route' }, { title: 'method' }, ...REQUEST_COLUMNS],
    routeRows,
  )
  if (summary.execution.length > 0) {
    lines.push('')
    lines.push(
      ...formatTable(
        [
          { title: 'execution timer' },
          { title: 'route' },
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
      ),
    )
  }
  return lines
}

export function progressBar(fraction, width = 30) {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`
}
