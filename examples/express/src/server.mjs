/**
 * Runs the shop API, as one process or, with WORKERS=n (n ≥ 2), as a `node:cluster` of n
 * workers sharing one port. Each worker pushes its own metrics and the StatsD agent adds them
 * up: totals stay right however many workers there are.
 *
 * Metrics are configured only through `STATSD_*` variables (STATSD_HOST, STATSD_PORT,
 * STATSD_NAMING, STATSD_PREFIX, …); the server takes HOST (default 127.0.0.1), PORT (default
 * 0: any free port), WORKERS (default 1) and LOG_LEVEL (`silent` hides error logs). Once every
 * worker listens it prints one JSON line: {"event":"listening","url":…,"workers":n}, with
 * `workerPids` (worker id → pid) in a cluster; a worker the primary starts later to replace one
 * that died prints {"event":"worker-listening","id":…,"pid":…}.
 *
 * PROMETHEUS_PORT (unset: no Prometheus): serves the request totals of the whole app at
 * http://127.0.0.1:$PROMETHEUS_PORT/metrics, in the naming STATSD_NAMING selects (0 picks a
 * free port; the listening line gives the URL as `metrics`). In a cluster the primary runs
 * routemeter's aggregator there before forking and every worker forwards its changes to it
 * after each flush, so a scrape sees the sum over every worker, including those replaced.
 *
 * SIGTERM or SIGINT: stop accepting, answer the requests in flight, flush and close the
 * metrics, exit 0 (a cluster's primary forwards the signal, waits for every worker, whose last
 * flush reaches its aggregator, then closes the aggregator).
 */
import cluster from 'node:cluster'
import { startPrometheusAggregator } from '@routemeter/core'
import { connectionCloser } from '@routemeter/example-shared/connection-closer'
import {
  metricsPort,
  metricsUrl,
  prometheusFromEnv,
} from '@routemeter/example-shared/prometheus-env'
import { buildApp } from './app.mjs'

const SHUTDOWN_TIMEOUT_MS = 10_000

const host = process.env.HOST || '127.0.0.1'
const port = integerFrom('PORT', 0, 0, 65535)
const workers = integerFrom('WORKERS', 1, 1, 64)
const prometheus = fromEnv(prometheusFromEnv)

if (cluster.isPrimary && workers > 1) runPrimary()
else runServer()

function runServer() {
  let metrics
  let server
  try {
    const built = buildApp({
      // A cluster worker forwards to the primary's aggregator at this port instead of serving.
      metrics: prometheus === undefined ? {} : { prometheus },
      logErrors: !['silent', 'fatal'].includes(process.env.LOG_LEVEL),
    })
    metrics = built.metrics
    server = built.app.listen(port, host)
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
  if (cluster.isWorker) {
    const id = String(cluster.worker.id)
    server.prependListener('request', (_req, res) => res.setHeader('x-worker-id', id))
  }
  server.once('listening', async () => {
    if (cluster.isWorker) return // the primary reports once every worker listens
    const url = `http://${host}:${server.address().port}`
    const line = { event: 'listening', url, pid: process.pid, workers: 1 }
    if (prometheus !== undefined) {
      try {
        line.metrics = metricsUrl(await metricsPort(metrics.meter, prometheus.port))
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
    exitAfter(SHUTDOWN_TIMEOUT_MS)
    beginClosing()
    // close() stops accepting and calls back once the requests in flight are answered.
    await new Promise((resolve) => server.close(() => resolve()))
    await metrics.close() // flushes everything recorded, then closes the socket
    process.exit(0)
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  // A worker whose primary is gone shuts down too, instead of living on unmanaged.
  if (cluster.isWorker) process.on('disconnect', shutdown)
}

async function runPrimary() {
  const live = new Set()
  let listening = 0
  let started = false
  let stopping = false
  let failed = false

  // Started before any worker, so that no worker's first flush finds nobody to take it.
  let aggregator
  if (prometheus !== undefined) {
    try {
      aggregator = await startPrometheusAggregator(prometheus)
    } catch (error) {
      console.error(
        `cannot serve /metrics on ${prometheus.host}:${prometheus.port}: ${error.message}`,
      )
      process.exit(1)
    }
  }
  // The bound port, when PROMETHEUS_PORT=0 let the aggregator pick one: workers find the
  // aggregator's socket by it.
  const workerEnv = aggregator === undefined ? {} : { PROMETHEUS_PORT: String(aggregator.port) }
  const fork = () => live.add(cluster.fork(workerEnv))
  for (let i = 0; i < workers; i++) fork()

  cluster.on('listening', (worker, address) => {
    listening++
    if (started) {
      console.log(
        JSON.stringify({ event: 'worker-listening', id: worker.id, pid: worker.process.pid }),
      )
      return
    }
    if (listening < workers) return
    started = true
    const url = `http://${host}:${address.port}`
    const workerPids = Object.fromEntries([...live].map((w) => [w.id, w.process.pid]))
    const line = { event: 'listening', url, pid: process.pid, workers, workerPids }
    if (aggregator !== undefined) line.metrics = metricsUrl(aggregator.port)
    console.log(JSON.stringify(line))
  })

  // Once every worker has exited (each flushed into the aggregator on its way out).
  async function exitWhenAllGone() {
    await aggregator?.close()
    process.exit(failed ? 1 : 0)
  }

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker)
    if (stopping) {
      if (code !== 0) failed = true
      if (live.size === 0) exitWhenAllGone()
    } else if (!started) {
      failed = true
      console.error(`worker ${worker.id} exited during start-up (${signal ?? `code ${code}`})`)
      shutdown()
    } else {
      console.error(`worker ${worker.id} died (${signal ?? `code ${code}`}); starting another`)
      fork()
    }
  })

  function shutdown() {
    if (stopping) return
    stopping = true
    exitAfter(SHUTDOWN_TIMEOUT_MS + 1000)
    if (live.size === 0) exitWhenAllGone()
    for (const worker of live) worker.process.kill('SIGTERM')
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

function exitAfter(ms) {
  setTimeout(() => {
    console.error(`shutdown took longer than ${ms} ms; exiting`)
    process.exit(1)
  }, ms).unref()
}

/** A value read from the environment by `read`; an invalid one names its variable and exits. */
function fromEnv(read) {
  try {
    return read()
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}

function integerFrom(name, fallback, min, max) {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer from ${min} to ${max}, got "${text}"`)
    process.exit(1)
  }
  return value
}
