import http from 'node:http'
import { pipeline } from 'node:stream'
import {
  type AdapterFactory,
  type AppSpec,
  defaultErrorReply,
  type Handler,
  HOSTILE_MOUNT,
  HOSTILE_REGEXP_ROUTES,
  plainServerOptions,
  type Reply,
  type StartOptions,
  startPlainServer,
  withAppLogger,
} from '@routemeter/conformance'
import type { AdapterOptions } from '@routemeter/core/adapter'
import express5, { type NextFunction, type Request, type Response, type Router } from 'express'
import express4 from 'express4'
import { type RoutemeterMiddleware, routemeter } from '../../src/index'
import type { ExpressFactory } from './harness'

/**
 * Express route labels are the paths as registered; these carry every separator. Express matches
 * the raw (percent-encoded) path and turns every route path into a RegExp, so the long and
 * line-breaking labels are the shared RegExp routes (HOSTILE_REGEXP_ROUTES says why 12 KB).
 */
const HOSTILE_PATHS: ReadonlyArray<string | RegExp | string[]> = [
  '/odd/a@b=c;d,e',
  // Not `|`: Express 4 joins array paths into one RegExp with `|`, unescaped.
  ['/arr/a', '/arr/b@c=d'],
  ...HOSTILE_REGEXP_ROUTES,
]

function send(res: Response, answer: Reply): void {
  res.status(answer.status ?? 200)
  if (answer.stream !== undefined) {
    res.type('text/plain')
    // pipeline, not pipe: a response closed early destroys the body stream too.
    pipeline(answer.stream, res, () => {})
  } else if (answer.json !== undefined) res.json(answer.json)
  else if (answer.text !== undefined) res.send(answer.text)
  else res.end()
}

/** Runs a neutral handler as Express middleware: thrown and rejected errors go to `next`. */
function handle(handler: Handler, metrics: RoutemeterMiddleware | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    let answer: Reply | Promise<Reply>
    try {
      answer = handler({
        method: req.method,
        path: req.path,
        params: req.params as Record<string, string>,
        headers: req.headers,
        body: req.body,
        metrics: metrics === undefined ? undefined : req.metrics,
        meter: metrics?.meter,
      })
    } catch (error) {
      next(error)
      return
    }
    if (answer instanceof Promise) answer.then((reply) => send(res, reply), next)
    else send(res, answer)
  }
}

/** A route on `router` for each of its methods (`app.get`, `app.propfind`, `app['m-search']`…). */
function addRoute(
  router: Router,
  methods: readonly string[],
  path: string,
  fn: ReturnType<typeof handle>,
) {
  const route = router.route(path) as unknown as Record<string, (fn: unknown) => void>
  for (const method of methods) route[method.toLowerCase()]?.(fn)
}

/** An Express app with `app.use(routemeter(options))` first, as the README shows. */
export function expressFactory(name: string, express: ExpressFactory): AdapterFactory {
  return {
    name,
    supports: {
      routeLabel: {
        unsupported: 'Express has no per-route options; the registered path is the label',
      },
      routeOptOut: {
        unsupported: 'Express has no per-route options; use the `exclude` option',
      },
      rawOptions: true,
    },
    // Express serves about half the requests a second Fastify does on the same machine.
    loadScale: 0.5,
    readHeader: (request, name) => (request as Request).get(name),
    hostileRoutes: {
      requests: ['/odd/a@b=c;d,e', '/arr/b@c=d', '/re/one', '/re/long', `${HOSTILE_MOUNT}/inner`],
      labels: [
        '/odd/a@b=c;d,e',
        '/arr/a,/arr/b@c=d',
        String(HOSTILE_PATHS[2]),
        String(HOSTILE_PATHS[3]),
        `${HOSTILE_MOUNT}/inner`,
      ],
    },

    async start(spec: AppSpec, options: AdapterOptions | undefined, how: StartOptions = {}) {
      // Express has no logger of its own: routemeter's faults go to the `logger` option.
      const metrics = options === undefined ? undefined : routemeter(withAppLogger(options, how))
      const app = express()
      if (metrics !== undefined) app.use(metrics)
      app.use(express.json({ limit: spec.large ? '16mb' : '100kb' }))
      const mounts = new Map<string, Router>()
      for (const route of spec.routes) {
        const methods = typeof route.method === 'string' ? [route.method] : route.method
        const fn = handle(route.handler, metrics)
        if (route.label !== undefined || route.measured !== undefined) {
          throw new Error('Express has no per-route metrics options')
        }
        if (route.prefix === undefined) {
          addRoute(app, methods, route.path, fn)
          continue
        }
        let router = mounts.get(route.prefix)
        if (router === undefined) {
          router = express.Router({ mergeParams: true })
          mounts.set(route.prefix, router)
          app.use(route.prefix, router)
        }
        addRoute(router, methods, route.path, fn)
      }
      if (spec.hostileRoutes) {
        for (const path of HOSTILE_PATHS) {
          app.get(path, (_req, res) => {
            res.send('route')
          })
        }
        const inner = express.Router()
        inner.get('/inner', (_req, res) => {
          res.send('inner')
        })
        app.use(HOSTILE_MOUNT, inner)
      }
      if (spec.notFound !== undefined) app.use(handle(spec.notFound, metrics))
      const onError = spec.onError ?? defaultErrorReply
      app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
        send(res, onError(error))
      })
      const server = http.createServer(plainServerOptions(spec), app)
      return startPlainServer(server, metrics, spec, how)
    },
  }
}

export const EXPRESS_FACTORIES: readonly AdapterFactory[] = [
  expressFactory('Express 5', express5),
  expressFactory('Express 4', express4),
]
