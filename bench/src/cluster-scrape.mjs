// The cluster section's primary: forks `workers` cluster workers (src/cluster-worker.mjs), each
// holding `routes` request series, and serves the cluster-wide `/metrics` the variant's way:
//   routemeter   startPrometheusAggregator(): workers forward their changes after each flush,
//                a scrape reads what the primary holds and asks no worker
//   prom-client  AggregatorRegistry: a scrape asks every worker for its registry over cluster
//                IPC (clusterMetrics()) and merges the answers
// The orchestrator (src/run.mjs) drives the phases over IPC, sends the load and takes the
// scrapes from its own core; this process only reports counts and CPU time.
import cluster from 'node:cluster'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { announceReady, serve } from './lib/ipc.mjs'
import { closeNode, listenNode } from './variants/common.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const ASK_TIMEOUT_MS = 30_000

let setup
/** Handler counts of workers that are gone (SIGKILLed), read just before they went. */
let goneServed = 0

/** Asks one worker a `{ bench }` question and resolves with its answer. */
function ask(worker, bench) {
  const id = Math.random()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off('message', onMessage)
      reject(new Error(`worker ${worker.id} did not answer ${bench}`))
    }, ASK_TIMEOUT_MS)
    function onMessage(msg) {
      if (msg?.bench !== bench || msg.id !== id) return
      clearTimeout(timer)
      worker.off('message', onMessage)
      resolve(msg)
    }
    worker.on('message', onMessage)
    worker.send({ bench, id })
  })
}

/** Forks one worker and resolves once its routes are primed and it listens. */
async function fork(env) {
  const worker = cluster.fork(env)
  const ready = new Promise((resolve, reject) => {
    worker.on('message', (msg) => {
      if (msg?.bench === 'ready') resolve(msg)
    })
    worker.once('exit', (code, signal) =>
      reject(new Error(`worker exited before ready (code ${code}, signal ${signal})`)),
    )
  })
  const msg = await ready
  return { worker, port: msg.port }
}

function liveWorkers() {
  return Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead())
}

/** The primary's side of the variant: what answers scrapes on `metricsPort`. */
async function startScrapeSide(variant) {
  if (variant === 'routemeter') {
    const { startPrometheusAggregator } = await import('@routemeter/core')
    const aggregator = await startPrometheusAggregator({ port: 0, host: '127.0.0.1' })
    return { port: aggregator.port, close: () => aggregator.close() }
  }
  const { AggregatorRegistry } = await import('prom-client')
  const registry = new AggregatorRegistry()
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    registry.clusterMetrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(body)
      },
      (err) => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`${err.message}\n`)
      },
    )
  })
  const port = await listenNode(server)
  return { port, close: () => closeNode(server) }
}

serve({
  async start({ variant, workers, routes }) {
    const t0 = Date.now()
    const side = await startScrapeSide(variant)
    cluster.setupPrimary({ exec: join(here, 'cluster-worker.mjs'), silent: false })
    const env = {
      BENCH_CLUSTER_VARIANT: variant,
      BENCH_ROUTES: String(routes),
      BENCH_PROM_PORT: String(side.port),
    }
    // All at once: registering and priming thousands of routes is not what is measured, and
    // both cores are free while it runs (the orchestrator pins everything once they are up).
    const forked = await Promise.all(Array.from({ length: workers }, () => fork(env)))
    const appPort = forked[0].port
    setup = { variant, env, side, appPort }
    return {
      appPort,
      metricsPort: side.port,
      startMs: Date.now() - t0,
      pids: liveWorkers().map((w) => w.process.pid),
    }
  },
  /** Every request a handler ran, in live workers and in those killed. */
  async served() {
    const answers = await Promise.all(liveWorkers().map((w) => ask(w, 'served')))
    return { served: goneServed + answers.reduce((acc, a) => acc + a.served, 0) }
  },
  /** CPU µs of this process and of every live worker so far (user + system). */
  async cpu() {
    const answers = await Promise.all(liveWorkers().map((w) => ask(w, 'cpu')))
    const own = process.cpuUsage()
    const primaryUs = own.user + own.system
    return { primaryUs, workersUs: answers.reduce((acc, a) => acc + a.us, 0) }
  },
  /**
   * SIGKILLs one worker (called once its last interval went out and no load runs, so its final
   * count is known) and forks a replacement, which primes its routes like the others did.
   */
  async restart() {
    const victim = liveWorkers()[0]
    const { served } = await ask(victim, 'served')
    const exited = once(victim, 'exit')
    victim.process.kill('SIGKILL')
    await exited
    goneServed += served
    await fork(setup.env)
    return { killedServed: served }
  },
  async close() {
    const live = liveWorkers()
    const exits = live.map((w) => once(w, 'exit'))
    for (const w of live) w.process.kill('SIGTERM')
    await Promise.all(exits)
    await setup?.side.close()
    setImmediate(() => process.exit(0))
    return {}
  },
})
announceReady()
