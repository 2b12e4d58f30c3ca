// One `node:cluster` worker of the cluster section (src/cluster-scrape.mjs forks four): a
// Fastify app with `BENCH_ROUTES` templates `/s<i>/items/:id`, each hit once at start-up through
// `inject` (the full request path, hooks included) so that this worker holds one request
// series per route before any load arrives. Prometheus wiring by `BENCH_CLUSTER_VARIANT`:
//   routemeter   @routemeter/fastify, Prometheus only; as a cluster worker its meter forwards
//                its changes after each flush to the aggregator of `BENCH_PROM_PORT`
//   prom-client  a prom-client counter and histogram of the same names, labels and buckets,
//                recorded in an onResponse hook into prom-client's global registry, which its
//                AggregatorRegistry in the primary asks for at every scrape
// It answers the primary's `{ bench: 'served' | 'cpu' }` messages with its handler count and
// its own CPU time.
import Fastify from 'fastify'
import { routePaths } from './variants/common.mjs'

const variant = process.env.BENCH_CLUSTER_VARIANT
const routes = Number(process.env.BENCH_ROUTES)
const promPort = Number(process.env.BENCH_PROM_PORT)
/** routemeter's tag-style duration buckets (seconds), given to prom-client too. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

let served = 0
const app = Fastify({ logger: false })

if (variant === 'routemeter') {
  const { default: routemeter } = await import('@routemeter/fastify')
  await app.register(routemeter, {
    naming: 'tags',
    statsd: false,
    prometheus: { port: promPort },
  })
} else if (variant === 'prom-client') {
  const { AggregatorRegistry, Counter, Histogram } = await import('prom-client')
  // prom-client 15 adds a worker's IPC answer to clusterMetrics() only when an
  // AggregatorRegistry is constructed in that worker too (its example does it by running one
  // file in primary and workers); without it every cluster scrape times out after 5 s.
  new AggregatorRegistry()
  const labelNames = ['route', 'method', 'status_code']
  const requests = new Counter({
    name: 'http_server_requests_total',
    help: 'HTTP requests served',
    labelNames,
  })
  const duration = new Histogram({
    name: 'http_server_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: BUCKETS,
  })
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status_code: String(reply.statusCode),
    }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
    done()
  })
} else {
  throw new Error(`unknown cluster variant ${variant}`)
}

for (const url of routePaths(routes)) {
  app.get(url, (_request, reply) => {
    served++
    reply.send({ hello: 'world' })
  })
}
await app.ready()
for (let i = 0; i < routes; i++) {
  const res = await app.inject(`/s${i}/items/${i}`)
  if (res.statusCode !== 200) throw new Error(`priming /s${i} answered ${res.statusCode}`)
}
// listen(0) in every worker: the cluster shares one port, picked by the primary.
await app.listen({ host: '127.0.0.1', port: 0 })

process.on('message', (msg) => {
  if (msg?.bench === 'served') process.send({ bench: 'served', id: msg.id, served })
  else if (msg?.bench === 'cpu') {
    const cpu = process.cpuUsage()
    process.send({ bench: 'cpu', id: msg.id, us: cpu.user + cpu.system })
  }
})
process.send({ bench: 'ready', port: app.server.address().port })
