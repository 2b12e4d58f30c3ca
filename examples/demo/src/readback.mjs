import { OTHER_METHOD, routeToPathSegments, STANDARD_METHODS } from '@routemeter/core'

const METHODS = new Set([...STANDARD_METHODS, OTHER_METHOD])
const COUNTS = 'stats_counts.'
const TIMERS = 'stats.timers.'
const HISTOGRAM = '.histogram.bin_'

/**
 * What the statsd daemon flushed to Graphite, summed over every flush of the run: counter
 * totals (`stats_counts.*`) and, per timer key, the sample count, min, max and histogram bins.
 * Nothing here comes from the apps' memory: it is the daemon's output, read back.
 */
export class StatsdTotals {
  counters = new Map()
  timers = new Map()
  flushes = 0

  addFlush(lines) {
    this.flushes++
    for (const { name, value } of lines) {
      if (name.startsWith(COUNTS)) {
        const key = name.slice(COUNTS.length)
        this.counters.set(key, (this.counters.get(key) ?? 0) + value)
      } else if (name.startsWith(TIMERS)) {
        this.addTimerLine(name.slice(TIMERS.length), value)
      }
    }
  }

  counter(key) {
    return this.counters.get(key) ?? 0
  }

  /** `<key>.<metric>[;tags]` or `<key>.histogram.bin_<upper>[;tags]`, Graphite-tag style. */
  addTimerLine(rest, value) {
    const semicolon = rest.indexOf(';')
    const base = semicolon === -1 ? rest : rest.slice(0, semicolon)
    const tags = semicolon === -1 ? '' : rest.slice(semicolon)
    const histogram = base.indexOf(HISTOGRAM)
    let key
    let metric
    if (histogram !== -1) {
      key = base.slice(0, histogram) + tags
      metric = 'bin'
    } else {
      const dot = base.lastIndexOf('.')
      key = base.slice(0, dot) + tags
      metric = base.slice(dot + 1)
    }
    let timer = this.timers.get(key)
    if (timer === undefined) {
      timer = new TimerTotals()
      this.timers.set(key, timer)
    }
    if (metric === 'bin') {
      const bin = base.slice(histogram + HISTOGRAM.length)
      const upper = bin === 'inf' ? Number.POSITIVE_INFINITY : Number(bin.replace('_', '.'))
      timer.bins.set(upper, (timer.bins.get(upper) ?? 0) + value)
    } else if (metric === 'count') {
      timer.count += value
    } else if (metric === 'upper' && value > timer.max) {
      timer.max = value
    } else if (metric === 'lower' && value < timer.min) {
      timer.min = value
    }
  }
}

export class TimerTotals {
  count = 0
  min = Number.POSITIVE_INFINITY
  max = Number.NEGATIVE_INFINITY
  bins = new Map()

  merge(other) {
    this.count += other.count
    this.min = Math.min(this.min, other.min)
    this.max = Math.max(this.max, other.max)
    for (const [upper, count] of other.bins)
      this.bins.set(upper, (this.bins.get(upper) ?? 0) + count)
    return this
  }

  /**
   * The `q` quantile from the summed bins, interpolated inside its bin (as Prometheus'
   * `histogram_quantile` does) and kept within the observed min and max.
   */
  quantile(q) {
    const bins = [...this.bins].sort((a, b) => a[0] - b[0])
    const total = bins.reduce((sum, [, count]) => sum + count, 0)
    if (total === 0) return undefined
    const rank = q * total
    let below = 0
    let lower = 0
    for (const [upper, count] of bins) {
      if (count > 0 && below + count >= rank) {
        const top = Number.isFinite(upper) ? upper : this.max
        const value = lower + (top - lower) * ((rank - below) / count)
        return Math.min(this.max, Math.max(this.min, value))
      }
      below += count
      lower = upper
    }
    return this.max
  }
}

/**
 * Turns the daemon's keys back into rows: per app, per route and method, requests by status and
 * the request latency; and the execution timers. An app is told apart by its metric prefix.
 *
 * Tag style keys look like `<prefix>.http.server.requests;route=-api-products-id;method=GET;…`
 * (the daemon folds DogStatsD tags into Graphite tags and drops `:` from values); path style
 * keys like `<prefix>.counters.api.products._id.GET.200`.
 */
export function summarise(totals, app, routeTemplates) {
  const display = routeDisplay(app.style, routeTemplates)
  const routes = new Map()
  const execution = new Map()
  const rowFor = (route, method) => {
    const id = `${route} ${method}`
    let row = routes.get(id)
    if (row === undefined) {
      row = {
        route: display(route),
        method,
        requests: 0,
        byStatus: new Map(),
        latency: new TimerTotals(),
      }
      routes.set(id, row)
    }
    return row
  }
  const prefix = `${app.prefix}.`

  for (const [key, value] of totals.counters) {
    const parsed = parseKey(key, prefix, app.style)
    if (parsed?.kind !== 'request') continue
    const row = rowFor(parsed.route, parsed.method)
    row.requests += value
    row.byStatus.set(parsed.status, (row.byStatus.get(parsed.status) ?? 0) + value)
  }
  for (const [key, timer] of totals.timers) {
    const parsed = parseKey(key, prefix, app.style)
    if (parsed === undefined) continue
    if (parsed.kind === 'request') {
      rowFor(parsed.route, parsed.method).latency.merge(timer)
    } else {
      const id = `${parsed.name} ${parsed.route} ${parsed.method}`
      let row = execution.get(id)
      if (row === undefined) {
        row = {
          name: parsed.name,
          route: display(parsed.route),
          method: parsed.method,
          timer: new TimerTotals(),
        }
        execution.set(id, row)
      }
      row.timer.merge(timer)
    }
  }
  const order = (a, b) => orderOf(a.route) - orderOf(b.route) || a.route.localeCompare(b.route)
  const orderOf = (route) => {
    const index = routeTemplates.indexOf(route)
    return index === -1 ? routeTemplates.length : index
  }
  return {
    routes: [...routes.values()].filter((row) => row.requests > 0).sort(order),
    execution: [...execution.values()]
      .filter((row) => row.timer.count > 0)
      .sort((a, b) => order(a, b) || a.name.localeCompare(b.name)),
  }
}

/** Total requests the daemon counted for an app, summed over every worker that pushed. */
export function requestTotal(totals, app) {
  let total = 0
  const byStatus = new Map()
  for (const [key, value] of totals.counters) {
    const parsed = parseKey(key, `${app.prefix}.`, app.style)
    if (parsed?.kind !== 'request') continue
    total += value
    byStatus.set(parsed.status, (byStatus.get(parsed.status) ?? 0) + value)
  }
  return { total, byStatus }
}

function parseKey(key, prefix, style) {
  if (!key.startsWith(prefix)) return undefined
  const semicolon = key.indexOf(';')
  const name = key.slice(prefix.length, semicolon === -1 ? undefined : semicolon)
  if (style === 'tags') {
    if (semicolon === -1) return undefined
    const tags = {}
    for (const pair of key.slice(semicolon + 1).split(';')) {
      const eq = pair.indexOf('=')
      if (eq > 0) tags[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    if (tags.route === undefined || tags.method === undefined) return undefined
    if (name === 'http.server.requests' || name === 'http.server.duration') {
      return { kind: 'request', route: tags.route, method: tags.method, status: tags.status_code }
    }
    return { kind: 'execution', name, route: tags.route, method: tags.method }
  }
  const parts = name.split('.')
  const family = parts.shift()
  if (family !== 'counters' && family !== 'timers') return undefined
  const last = parts.length - 1
  if (last >= 2 && /^\d+$/.test(parts[last]) && METHODS.has(parts[last - 1])) {
    return {
      kind: 'request',
      route: parts.slice(0, last - 1).join('.'),
      method: parts[last - 1],
      status: parts[last],
    }
  }
  if (family !== 'timers') return undefined
  const method = parts.findIndex((part, index) => index > 0 && METHODS.has(part))
  if (method === -1 || method === last) return undefined
  return {
    kind: 'execution',
    name: parts.slice(method + 1).join('.'),
    route: parts.slice(0, method).join('.'),
    method: parts[method],
  }
}

/**
 * Maps the route as the daemon stores it back to the template the app registered, for the
 * table; a key that matches no known template is shown as stored.
 */
function routeDisplay(style, templates) {
  const known = new Map()
  for (const template of templates) known.set(storedRoute(style, template), template)
  known.set(style === 'tags' ? 'unmatched' : '_unmatched', '(unmatched)')
  return (stored) => known.get(stored) ?? stored
}

/** The route as the statsd daemon keeps it (see the Etsy daemon's `sanitizeKeyName`). */
export function storedRoute(style, template) {
  if (style === 'path') return routeToPathSegments(template)
  return template
    .replace(/[^A-Za-z0-9_./:-]/g, '_')
    .replace(/\//g, '-')
    .replace(/[^a-zA-Z_\-0-9.;=]/g, '')
}
