// Fastify servers, one per variant. Every variant serves the same handler; only the metrics
// wiring differs. `counter.served` is the number of requests the handler ran, which the
// server divides its own CPU time by.
import { performance } from 'node:perf_hooks'
import {
  closeHotShots,
  flushHotShots,
  hotShotsClient,
  meterOptions,
  PAYLOAD,
  promCount,
  routePaths,
} from './common.mjs'

function noopHook(_request, _reply, done) {
  done()
}

async function withRoutemeter(app, ctx, meterExtra) {
  const { default: routemeter } = await import('@routemeter/fastify')
  // Registered the way a user would; the plugin owns (and on app.close(), closes) its meter,
  // exposed as `app.metrics`, which the bench flushes at the edges of each measured burst.
  await app.register(routemeter, meterOptions(ctx, meterExtra))
  return {
    flush: () => app.metrics.flush(),
    stats: () => app.metrics.stats(),
  }
}

export async function buildFastify(kind, ctx) {
  const { default: Fastify } = await import('fastify')
  // Start-up is timed from here: the app, the plugin (its import included), the routes, ready.
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const app = Fastify({ logger: false })
  const { counter } = ctx
  let extra = {}
  let routeConfig
  let handler = (_request, reply) => {
    counter.served++
    reply.send(PAYLOAD)
  }

  switch (kind) {
    case 'bare':
    case 'bare-twin':
      break
    case 'hooks':
      // The floor any hook-based plugin pays: two hooks that do nothing.
      app.addHook('onRequest', noopHook)
      app.addHook('onResponse', noopHook)
      break
    case 'onrequest-hook':
      // Diagnostic: one empty onRequest hook; an onResponse hook also makes Fastify add two
      // listeners, a closure and a clock read per request (setupResponseListeners).
      app.addHook('onRequest', noopHook)
      break
    case 'routemeter-tags':
      extra = await withRoutemeter(app, ctx, { naming: 'tags' })
      break
    case 'routemeter-path':
      extra = await withRoutemeter(app, ctx, { naming: 'path' })
      break
    case 'routemeter-otel':
      extra = await withRoutemeter(app, ctx, { naming: 'otel' })
      break
    case 'routemeter-8k':
      // Diagnostic: same lines in 8192-byte datagrams, to separate per-datagram from per-byte cost.
      extra = await withRoutemeter(app, ctx, { naming: 'tags', maxBufferSize: 8192 })
      break
    case 'routemeter-disabled':
      // Diagnostic: the adapter wired in, the meter switched off, so nothing is recorded or sent.
      extra = await withRoutemeter(app, ctx, { naming: 'tags', enabled: false })
      break
    case 'routemeter-reservoir':
      extra = await withRoutemeter(app, ctx, { naming: 'tags', maxSamplesPerFlush: 100 })
      break
    case 'routemeter-label':
      // One request label read from a header autocannon sends (one value: the cost of reading
      // and looking it up per request, not of more series).
      extra = await withRoutemeter(app, ctx, {
        naming: 'tags',
        labels: { host: (request) => request.headers.host },
      })
      break
    case 'routemeter-prom':
      // Prometheus only: no StatsD, the exposition answered by the plugin's own route on the
      // app's port. Each window's closing flush mirrors the interval into the Prometheus state.
      extra = await withRoutemeter(app, ctx, {
        naming: 'tags',
        statsd: false,
        prometheus: { route: '/metrics' },
      })
      break
    case 'routemeter-packed':
      extra = await withRoutemeter(app, ctx, { naming: 'tags', packValues: true })
      break
    case 'routemeter-timer':
      extra = await withRoutemeter(app, ctx, { naming: 'tags' })
      handler = (request, reply) => {
        const stop = request.metrics.timer('db.query')
        counter.served++
        stop()
        reply.send(PAYLOAD)
      }
      break
    case 'hotshots':
    case 'hotshots-buffered': {
      // The naive baseline: hot-shots increment + timing per request in onResponse, tags
      // built per request. Unbuffered is hot-shots' default for UDP (one datagram per call).
      const buffered = kind === 'hotshots-buffered'
      const { client, errors } = await hotShotsClient(ctx, buffered ? { maxBufferSize: 1432 } : {})
      app.addHook('onResponse', (request, reply, done) => {
        const tags = {
          route: request.routeOptions.url ?? 'unmatched',
          method: request.method,
          status_code: String(reply.statusCode),
        }
        client.increment('http.server.requests', 1, tags)
        client.timing('http.server.duration', reply.elapsedTime, tags)
        done()
      })
      extra = {
        flush: () => (buffered ? flushHotShots(client) : undefined),
        stats: () => ({ sendErrors: errors.count }),
        close: () => closeHotShots(client),
      }
      break
    }
    case 'fastify-metrics': {
      // Prometheus (pull): records per request in-process; nothing is sent. Process-level
      // default metrics are off, like routemeter's processMetrics; route metrics at defaults
      // (histogram + summary). It picks up @platformatic/prom-client when installed.
      const { default: metricsPlugin } = await import('fastify-metrics')
      await app.register(metricsPlugin, {
        endpoint: '/metrics',
        defaultMetrics: { enabled: false },
      })
      extra = {
        check: async () => ({
          recorded: await promCount(app.metrics.client.register, 'http_request_duration_seconds'),
        }),
      }
      break
    }
    case 'immobiliarelabs': {
      // @immobiliarelabs/fastify-metrics only sends when `client.host` is given (otherwise it
      // swaps in a no-op mock, which is what its own benchmark fixture measures) and only for
      // routes carrying `config.metrics.routeId`. Process health sampling is off (its own
      // timer, not per-request work); route metrics at defaults (hits, errors, response time).
      const { default: immo } = await import('@immobiliarelabs/fastify-metrics')
      await app.register(immo, {
        client: { host: `udp://127.0.0.1:${ctx.sinkPort}`, namespace: 'bench' },
        health: false,
      })
      routeConfig = (i) => ({ metrics: { routeId: `r${i}` } })
      break
    }
    default:
      throw new Error(`unknown fastify variant ${kind}`)
  }

  routePaths(ctx.routes).forEach((url, i) => {
    app.route({ method: 'GET', url, handler, config: routeConfig?.(i) })
  })

  await app.ready()
  const readyMs = performance.now() - t0
  await app.listen({ host: '127.0.0.1', port: 0 })
  const cpu = process.cpuUsage(cpu0)
  return {
    port: app.server.address().port,
    startup: { readyMs, listenMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 },
    flush: async () => {
      await extra.flush?.()
    },
    stats: () => extra.stats?.(),
    check: () => extra.check?.(),
    close: async () => {
      await app.close()
      await extra.close?.()
    },
  }
}
