/**
 * Runs the shop API, as one process or, with WORKERS=n (n ≥ 2), as a `node:cluster` of n
 * workers sharing one port. Each worker pushes its own metrics and the StatsD agent adds them
 * up: totals stay right however many workers there are.
 *
 * Metrics are configured only through `STATSD_*` variables (STATSD_HOST, STATSD_PORT,
 * STATSD_NAMING, STATSD_PREFIX, …); the server takes HOST (default 127.0.0.1), PORT (default
 * 0: any free port), WORKERS (default 1) and LOG_LEVEL (`silent` hides error logs). Once every
 * worker listens it prints one JSON line: {"event":"listening","url":…,"workers":n}.
 * SIGTERM or SIGINT: stop accepting, answer the requests in flight, flush and close the
 * metrics, exit 0 (a cluster's primary forwards the signal and waits for every worker).
 */
import cluster from 'node:cluster'
import { connectionCloser } from '@routemeter/example-shared/connection-closer'
import { buildApp } from './app.mjs'

const SHUTDOWN_TIMEOUT_MS = 10_000

const host = process.env.HOST || '127.0.0.1'
const port = integerFrom('PORT', 0, 0, 65535)
const workers = integerFrom('WORKERS', 1, 1, 64)

if (cluster.isPrimary && workers > 1) runPrimary()
else runServer()

function runServer() {
  let metrics
  let server
  try {
    const built = buildApp({ logErrors: !['silent', 'fatal'].includes(process.env.LOG_LEVEL) })
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
  server.once('listening', () => {
    if (cluster.isWorker) return // the primary reports once every worker listens
    const url = `http://${host}:${server.address().port}`
    console.log(JSON.stringify({ event: 'listening', url, pid: process.pid, workers: 1 }))
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

function runPrimary() {
  const live = new Set()
  let listening = 0
  let started = false
  let stopping = false
  let failed = false

  const fork = () => live.add(cluster.fork())
  for (let i = 0; i < workers; i++) fork()

  cluster.on('listening', (_worker, address) => {
    listening++
    if (started || listening < workers) return
    started = true
    const url = `http://${host}:${address.port}`
    console.log(JSON.stringify({ event: 'listening', url, pid: process.pid, workers }))
  })

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker)
    if (stopping) {
      if (code !== 0) failed = true
      if (live.size === 0) process.exit(failed ? 1 : 0)
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
    if (live.size === 0) process.exit(failed ? 1 : 0)
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
