/**
 * Reads the request counts out of a Prometheus text exposition as routemeter writes it, in
 * either naming style, keyed `METHOD route status` (e.g. `GET /api/products/:id 404`): what a
 * client can compare with the answers it got. The demo and the examples' tests read scrapes
 * with it.
 */

/** Per style: the series that counts requests, and the labels naming route, method and status. */
const TAG_STYLE = {
  name: 'http_server_requests_total',
  route: 'route',
  method: 'method',
  status: 'status_code',
}
const REQUEST_SERIES = {
  tags: TAG_STYLE,
  // Path style's dotted names exist for StatsD; Prometheus gets labels, the same as tag style's.
  path: TAG_STYLE,
  // OpenTelemetry's naming has no request counter: the duration histogram's _count is one.
  otel: {
    name: 'http_server_request_duration_seconds_count',
    route: 'http_route',
    method: 'http_request_method',
    status: 'http_response_status_code',
  },
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Every sample of the exposition: `{ name, labels, value }`. */
export function parseSamples(text) {
  const samples = []
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line)
    if (match === null) continue
    const labels = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c))
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

/**
 * `Map` of `METHOD route status` → requests counted, summed over the other labels; `style` is
 * `tags`, `path` or `otel` (the STATSD_NAMING the app runs with). A request without a route label
 * (otel's unmatched requests) has route `-`.
 */
export function requestCounts(text, style) {
  const series = REQUEST_SERIES[style]
  if (series === undefined) throw new Error(`no request series known for naming "${style}"`)
  const counts = new Map()
  for (const { name, labels, value } of parseSamples(text)) {
    if (name !== series.name) continue
    const key = `${labels[series.method]} ${labels[series.route] ?? '-'} ${labels[series.status]}`
    counts.set(key, (counts.get(key) ?? 0) + value)
  }
  return counts
}

/** One scrape of `url`, read by `requestCounts`. */
export async function scrapeRequestCounts(url, style) {
  const response = await fetch(url)
  if (response.status !== 200)
    throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`)
  return requestCounts(await response.text(), style)
}
