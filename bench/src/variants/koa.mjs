// Koa 3 servers, one per variant. Every variant routes through @koa/router (where routemeter
// and the peer read the route template) and serves the same handler; only the metrics wiring
// differs.

import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import {
  closeNode,
  listenNode,
  mountRoutemeter,
  PAYLOAD,
  promCount,
  routePaths,
} from './common.mjs'

function emptyMiddleware(_ctx, next) {
  return next()
}

async function withRoutemeter(app, ctx, meterExtra) {
  const { routemeter } = await import('@routemeter/koa')
  return mountRoutemeter(app, routemeter, ctx, meterExtra)
}

export async function buildKoa(kind, ctx) {
  const { default: Koa } = await import('koa')
  const { default: Router } = await import('@koa/router')
  const app = new Koa()
  const { counter } = ctx
  let extra = {}

  switch (kind) {
    case 'bare':
    case 'bare-twin':
      break
    case 'middleware':
      // The floor any middleware-based recorder pays: one middleware that only calls next().
      app.use(emptyMiddleware)
      break
    case 'routemeter-tags':
      extra = await withRoutemeter(app, ctx, { naming: 'tags' })
      break
    case 'routemeter-disabled':
      // Diagnostic: the adapter wired in, the meter switched off, so nothing is recorded or sent.
      extra = await withRoutemeter(app, ctx, { naming: 'tags', enabled: false })
      break
    case 'prometheus-api-metrics': {
      // Prometheus (pull): prometheus-api-metrics' Koa middleware (method, route, code labels;
      // it also keeps request and response size histograms). It always registers prom-client's
      // default process metrics, which prom-client 15 collects only on scrape. It reads its
      // caller's package.json through `module.parent`, which an ESM import does not set, so it
      // is loaded with require; its prom-client (the peer it resolves) holds the registry.
      const require = createRequire(import.meta.url)
      const { koaMiddleware } = require('prometheus-api-metrics')
      const promClient = createRequire(require.resolve('prometheus-api-metrics'))('prom-client')
      app.use(koaMiddleware())
      extra = {
        check: async () => ({
          recorded: await promCount(promClient.register, 'http_request_duration_seconds'),
        }),
      }
      break
    }
    default:
      throw new Error(`unknown koa variant ${kind}`)
  }

  const router = new Router()
  for (const path of routePaths(ctx.routes)) {
    router.get(path, (c) => {
      counter.served++
      c.body = PAYLOAD
    })
  }
  app.use(router.routes())

  const server = createServer(app.callback())
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
