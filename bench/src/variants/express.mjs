// Express servers, one per variant; same handler everywhere, only the metrics wiring differs.
import { createServer } from 'node:http'
import {
  closeHotShots,
  closeNode,
  hotShotsClient,
  listenNode,
  mountRoutemeter,
  PAYLOAD,
  promCount,
  routePaths,
} from './common.mjs'

function noop() {}

async function withRoutemeter(app, ctx, meterExtra) {
  const { routemeter } = await import('@routemeter/express')
  return mountRoutemeter(app, routemeter, ctx, meterExtra)
}

export async function buildExpress(kind, ctx) {
  const { default: express } = await import('express')
  const app = express()
  const { counter } = ctx
  let extra = {}

  switch (kind) {
    case 'bare':
    case 'bare-twin':
      break
    case 'finish':
      // The floor any middleware-based recorder pays: a middleware that listens for `finish`.
      app.use((_req, res, next) => {
        res.on('finish', noop)
        next()
      })
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
    case 'routemeter-label':
      // One request label, as the Fastify variant of the same name.
      extra = await withRoutemeter(app, ctx, {
        naming: 'tags',
        labels: { host: (req) => req.headers.host },
      })
      break
    case 'routemeter-prom':
      // Prometheus only: no StatsD, the exposition answered by the middleware on `/metrics`.
      extra = await withRoutemeter(app, ctx, {
        naming: 'tags',
        statsd: false,
        prometheus: { route: '/metrics' },
      })
      break
    case 'routemeter-disabled':
      // Diagnostic: the adapter wired in, the meter switched off, so nothing is recorded or sent.
      extra = await withRoutemeter(app, ctx, { naming: 'tags', enabled: false })
      break
    case 'prom-bundle': {
      // Prometheus (pull): method, path and status labels, like the other variants record.
      const { default: promBundle } = await import('express-prom-bundle')
      app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }))
      extra = {
        check: async () => ({
          recorded: await promCount(
            promBundle.promClient.register,
            'http_request_duration_seconds',
          ),
        }),
      }
      break
    }
    case 'connect-datadog': {
      // connect-datadog would create its own client on localhost:8125; it is given a
      // hot-shots client pointed at the sink instead (unbuffered, hot-shots' UDP default),
      // with method and response-code tags so it records what the other variants record.
      const { default: connectDatadog } = await import('connect-datadog')
      const { client, errors } = await hotShotsClient(ctx)
      app.use(connectDatadog({ dogstatsd: client, method: true, response_code: true }))
      extra = {
        stats: () => ({ sendErrors: errors.count }),
        close: () => closeHotShots(client),
      }
      break
    }
    default:
      throw new Error(`unknown express variant ${kind}`)
  }

  for (const path of routePaths(ctx.routes)) {
    app.get(path, (_req, res) => {
      counter.served++
      res.json(PAYLOAD)
    })
  }

  const server = createServer(app)
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
