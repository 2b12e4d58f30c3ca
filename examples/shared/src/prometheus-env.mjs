/**
 * PROMETHEUS_PORT, read the same way by every example. Unset or empty: no Prometheus, the
 * example runs as before. Set: routemeter's `prometheus` option serving `GET /metrics` on
 * 127.0.0.1 at that port (0 picks a free one) — the meter's own listener in a single process,
 * the primary's aggregator in a cluster (its workers forward to it). Metrics stay on loopback,
 * apart from the app's HOST, as is usual for a scrape endpoint.
 */
export const METRICS_HOST = '127.0.0.1'

/** `{ port, host }` for routemeter's `prometheus` option, or `undefined` when not asked for. */
export function prometheusFromEnv(env = process.env) {
  const text = env.PROMETHEUS_PORT
  if (text === undefined || text === '') return undefined
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65535)
    throw new Error(`PROMETHEUS_PORT must be an integer from 0 to 65535, got "${text}"`)
  return { port, host: METRICS_HOST }
}

/** Where the exposition of a scrape port is served. */
export function metricsUrl(port) {
  return `http://${METRICS_HOST}:${port}/metrics`
}

/**
 * The port the meter's own `/metrics` listener bound, once it listens; throws when it could not
 * (routemeter reports the fault and carries on, but an example asked for metrics must not).
 */
export async function metricsPort(meter, wanted) {
  const port = await meter.prometheus?.listening
  if (port === undefined)
    throw new Error(`cannot serve /metrics on ${METRICS_HOST}:${wanted} (PROMETHEUS_PORT)`)
  return port
}
