/**
 * Runs the shop API. Metrics are configured only through `STATSD_*` variables (STATSD_HOST,
 * STATSD_PORT, STATSD_NAMING, STATSD_PREFIX, …); the server takes HOST (default 127.0.0.1),
 * PORT (default 0: any free port) and LOG_LEVEL (default info). Once listening it prints one
 * JSON line: {"event":"listening","url":…}. SIGTERM or SIGINT: stop accepting, answer the
 * requests in flight, flush and close the metrics, exit 0.
 *
 * PROMETHEUS_PORT (unset: no Prometheus): routemeter also serves the request totals at
 * http://127.0.0.1:$PROMETHEUS_PORT/metrics on a listener of its own, in the naming
 * STATSD_NAMING selects (0 picks a free port; the listening line gives the URL as `metrics`).
 */

import { connectionCloser } from '@routemeter/example-shared/connection-closer'
import {
  metricsPort,
  metricsUrl,
  prometheusFromEnv,
} from '@routemeter/example-shared/prometheus-env'
import { buildApp } from './app.mjs'

const SHUTDOWN_TIMEOUT_MS = 10_000

const host = process.env.HOST || '127.0.0.1'
const port = Number(process.env.PORT || 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got "${process.env.PORT}"`)
  process.exit(1)
}

let app
let metrics
try {
  const prometheus = prometheusFromEnv()
  app = await buildApp(prometheus === undefined ? {} : { metrics: { prometheus } })
  await app.listen({ host, port })
  if (prometheus !== undefined)
    metrics = metricsUrl(await metricsPort(app.metrics, prometheus.port))
} catch (error) {
  // A bad STATSD_* value names the variable; a taken port says so.
  console.error(`cannot start: ${error.message}`)
  await app?.close()
  process.exit(1)
}

const beginClosing = connectionCloser(app.server)
const { port: bound } = app.server.address()
console.log(
  JSON.stringify({
    event: 'listening',
    url: `http://${host}:${bound}`,
    pid: process.pid,
    workers: 1,
    metrics,
  }),
)

let stopping = false
async function shutdown(signal) {
  if (stopping) return
  stopping = true
  app.log.info({ signal }, 'shutting down')
  setTimeout(() => {
    console.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting`)
    process.exit(1)
  }, SHUTDOWN_TIMEOUT_MS).unref()
  beginClosing()
  // Stops accepting, waits for the requests in flight, then runs onClose hooks: routemeter
  // flushes everything recorded and closes its socket there.
  await app.close()
  process.exit(0)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
