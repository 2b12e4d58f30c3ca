// Hono 4 servers on @hono/node-server, one per variant; same handler everywhere, only the
// metrics wiring differs.
import {
  closeNode,
  listenNode,
  mountRoutemeter,
  PAYLOAD,
  promCount,
  routePaths,
} from './common.mjs'

function emptyMiddleware(_c, next) {
  return next()
}

async function withRoutemeter(app, ctx, meterExtra) {
  const { routemeter } = await import('@routemeter/hono')
  return mountRoutemeter(app, routemeter, ctx, meterExtra)
}

export async function buildHono(kind, ctx) {
  const { Hono } = await import('hono')
  const { createAdaptorServer } = await import('@hono/node-server')
  const app = new Hono()
  const { counter } = ctx
  let extra = {}

  switch (kind) {
    case 'bare':
    case 'bare-twin':
      break
    case 'middleware':
      // The floor any middleware-based recorder pays: one middleware that only awaits next().
      app.use(emptyMiddleware)
      break
    case 'routemeter-tags':
      extra = await withRoutemeter(app, ctx, { naming: 'tags' })
      break
    case 'routemeter-disabled':
      // Diagnostic: the adapter wired in, the meter switched off, so nothing is recorded or sent.
      extra = await withRoutemeter(app, ctx, { naming: 'tags', enabled: false })
      break
    case 'prometheus': {
      // Prometheus (pull): @hono/prometheus at its defaults (request duration histogram and
      // request counter, method/status/ok/route labels; default process metrics off), in its
      // own registry.
      const { prometheus } = await import('@hono/prometheus')
      const { Registry } = await import('prom-client')
      const registry = new Registry()
      const { registerMetrics } = prometheus({ registry })
      app.use(registerMetrics)
      extra = {
        check: async () => ({
          recorded: await promCount(registry, 'http_request_duration_seconds'),
        }),
      }
      break
    }
    default:
      throw new Error(`unknown hono variant ${kind}`)
  }

  for (const path of routePaths(ctx.routes)) {
    app.get(path, (c) => {
      counter.served++
      return c.json(PAYLOAD)
    })
  }

  const server = createAdaptorServer({ fetch: app.fetch })
  const port = await listenNode(server)
  return {
    port,
    flush: async () => {
      await extra.flush?.()
    },
    stats: () => extra.stats?.(),
    check: () => extra.check?.(),
    close: async () => {
      await closeNode(server)
      await extra.close?.()
    },
  }
}
