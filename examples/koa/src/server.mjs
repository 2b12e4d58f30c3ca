/**
 * Runs the shop API. Metrics are configured only through `STATSD_*` variables (STATSD_HOST,
 * STATSD_PORT, STATSD_NAMING, STATSD_PREFIX, …); the server takes HOST (default 127.0.0.1),
 * PORT (default 0: any free port) and LOG_LEVEL (`silent` or `fatal` hide the 5xx error logs).
 * Once listening it prints one JSON line: {"event":"listening","url":…}. SIGTERM or SIGINT: stop
 * accepting, answer the requests in flight, flush and close the metrics, exit 0.
 * PROMETHEUS_PORT (unset: no Prometheus): the request totals also at
 * http://127.0.0.1:$PROMETHEUS_PORT/metrics, in the naming STATSD_NAMING selects (0 picks a free
 * port; the listening line gives the URL as `metrics`).
 */
import http from 'node:http'
import { serve } from '@routemeter/example-shared/serve'
import { buildApp } from './app.mjs'

serve((metricsOptions) => {
  const { app, metrics } = buildApp({
    metrics: metricsOptions,
    logErrors: !['silent', 'fatal'].includes(process.env.LOG_LEVEL),
  })
  return {
    server: http.createServer(app.callback()),
    close: () => metrics.close(),
    meter: metrics.meter,
  }
})
