/**
 * Runs a Node HTTP server the way the Koa and Hono examples do (their frameworks hand over a plain
 * `http.Server`; the Fastify and Express examples keep their own runners, one for Fastify's
 * lifecycle and one for Express' cluster mode).
 *
 * `start()` builds the app and returns `{ server, close }`: an `http.Server` not yet listening and
 * an async `close()` that flushes and closes the metrics; it is given routemeter options to
 * add (`{ prometheus }` when PROMETHEUS_PORT is set) and returns the meter as `meter` too. Reads
 * HOST (default 127.0.0.1), PORT (default 0: any free port) and PROMETHEUS_PORT (unset: no
 * Prometheus; else the totals at http://127.0.0.1:$PROMETHEUS_PORT/metrics, given in the
 * listening line as `metrics`). Once listening it prints one JSON line:
 * {"event":"listening","url":…,"pid":…,"workers":1}. SIGTERM or SIGINT: stop accepting, answer
 * the requests in flight, `close()`, exit 0; longer than 10 s, exit 1.
 */
import { connectionCloser } from './connection-closer.mjs'
import { metricsPort, metricsUrl, prometheusFromEnv } from './prometheus-env.mjs'

const SHUTDOWN_TIMEOUT_MS = 10_000

export function serve(start) {
  const host = process.env.HOST || '127.0.0.1'
  const port = Number(process.env.PORT || 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got "${process.env.PORT}"`)
    process.exit(1)
  }

  let server
  let close
  let meter
  let prometheus
  try {
    prometheus = prometheusFromEnv()
    ;({ server, close, meter } = start(prometheus === undefined ? {} : { prometheus }))
  } catch (error) {
    // A bad STATSD_* value names the variable.
    console.error(`cannot start: ${error.message}`)
    process.exit(1)
  }
  server.once('error', (error) => {
    console.error(`cannot listen on ${host}:${port}: ${error.message}`)
    process.exit(1)
  })
  const beginClosing = connectionCloser(server)
  server.listen(port, host, async () => {
    const url = `http://${host}:${server.address().port}`
    const line = { event: 'listening', url, pid: process.pid, workers: 1 }
    if (prometheus !== undefined) {
      try {
        line.metrics = metricsUrl(await metricsPort(meter, prometheus.port))
      } catch (error) {
        console.error(error.message)
        process.exit(1)
      }
    }
    console.log(JSON.stringify(line))
  })

  let stopping = false
  async function shutdown() {
    if (stopping) return
    stopping = true
    setTimeout(() => {
      console.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting`)
      process.exit(1)
    }, SHUTDOWN_TIMEOUT_MS).unref()
    beginClosing()
    // close() stops accepting and calls back once the requests in flight are answered.
    await new Promise((resolve) => server.close(() => resolve()))
    await close() // flushes everything recorded, then closes the socket
    process.exit(0)
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}
