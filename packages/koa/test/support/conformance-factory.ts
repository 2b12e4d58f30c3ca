import http from 'node:http'
import Router from '@koa/router'
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
import Koa3, { type Context, type Next } from 'koa'
import Koa2 from 'koa2'
import { type RoutemeterMiddleware, routemeter } from '../../src/index'

/**
 * @koa/router labels a route with its path as registered; a RegExp route with its RegExp. Koa
 * matches the raw (percent-encoded) path, so spaces, unicode and line breaks live in RegExp
 * routes, in alternatives the request does not need to match.
 */
const HOSTILE_PATHS: ReadonlyArray<string | RegExp> = ['/odd/a@b=c;d,e', ...HOSTILE_REGEXP_ROUTES]

type KoaConstructor = typeof Koa3

function send(ctx: Context, answer: Reply): void {
  ctx.status = answer.status ?? 200
  if (answer.stream !== undefined) {
    ctx.type = 'text/plain'
    // Koa pipes it, and destroys it when the response closes early.
    ctx.body = answer.stream
  } else if (answer.json !== undefined) ctx.body = answer.json
  else if (answer.text !== undefined) ctx.body = answer.text
}

/** Runs a neutral handler as Koa middleware; what it throws goes on to the app's error handling. */
function handle(handler: Handler, metrics: RoutemeterMiddleware | undefined) {
  return async (ctx: Context): Promise<void> => {
    const answer = await handler({
      method: ctx.method,
      path: ctx.path,
      params: (ctx as Context & { params?: Record<string, string> }).params ?? {},
      headers: ctx.headers,
      body: ctx.state.body,
      metrics: metrics === undefined ? undefined : ctx.metrics,
      meter: metrics?.meter,
    })
    send(ctx, answer)
  }
}

/** Reads a JSON body into `ctx.state.body` (what a body parser does, without one more dependency). */
function jsonBody(limit: number) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.is('application/json') === 'application/json') {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size > limit) ctx.throw(413)
        chunks.push(chunk)
      }
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        ctx.state.body = text === '' ? undefined : JSON.parse(text)
      } catch {
        ctx.throw(400, 'invalid JSON')
      }
    }
    await next()
  }
}

/** The spec's error handler as the first middleware after routemeter, as Koa apps write one. */
function errorHandler(onError: (error: unknown) => Reply) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next()
    } catch (error) {
      send(ctx, onError(error))
    }
  }
}

function addRoute(
  router: Router,
  methods: readonly string[],
  path: string | RegExp,
  fn: ReturnType<typeof handle>,
): void {
  router.register(
    path,
    methods.map((method) => method.toUpperCase()),
    fn,
  )
}

/** A Koa app with `app.use(routemeter(options))` first, then @koa/router routers, as the README shows. */
function koaFactory(name: string, Koa: KoaConstructor): AdapterFactory {
  return {
    name,
    supports: {
      routeLabel: {
        unsupported: '@koa/router has no per-route options; the registered path is the label',
      },
      routeOptOut: {
        unsupported: '@koa/router has no per-route options; use the `exclude` option',
      },
      rawOptions: true,
    },
    // Koa serves about as many requests a second as Express on the same machine.
    loadScale: 0.5,
    readHeader: (request, name) => (request as Context).get(name) || undefined,
    hostileRoutes: {
      requests: ['/odd/a@b=c;d,e', '/re/one', '/re/long', `${HOSTILE_MOUNT}/inner`],
      labels: [
        '/odd/a@b=c;d,e',
        String(HOSTILE_PATHS[1]),
        String(HOSTILE_PATHS[2]),
        `${HOSTILE_MOUNT}/inner`,
      ],
    },

    async start(spec: AppSpec, options: AdapterOptions | undefined, how: StartOptions = {}) {
      // Koa has no logger of its own: routemeter's faults go to the `logger` option.
      const metrics = options === undefined ? undefined : routemeter(withAppLogger(options, how))
      const app = new Koa()
      // Errors are the tests' subject; Koa's default `error` listener would print each one.
      app.silent = true
      if (metrics !== undefined) app.use(metrics)
      app.use(errorHandler(spec.onError ?? defaultErrorReply))
      app.use(jsonBody(spec.large ? 16 * 1024 * 1024 : 100 * 1024))
      // Routes without a prefix on one router; each prefix its own router (`prefix` option), in
      // the order first seen: several routers in one app, as larger Koa apps have them.
      const root = new Router()
      app.use(root.routes())
      const prefixed = new Map<string, Router>()
      for (const route of spec.routes) {
        if (route.label !== undefined || route.measured !== undefined) {
          throw new Error('@koa/router has no per-route metrics options')
        }
        const methods = typeof route.method === 'string' ? [route.method] : route.method
        const fn = handle(route.handler, metrics)
        if (route.prefix === undefined) {
          addRoute(root, methods, route.path, fn)
          continue
        }
        let router = prefixed.get(route.prefix)
        if (router === undefined) {
          router = new Router({ prefix: route.prefix })
          prefixed.set(route.prefix, router)
          app.use(router.routes())
        }
        addRoute(router, methods, route.path, fn)
      }
      if (spec.hostileRoutes) {
        for (const path of HOSTILE_PATHS) {
          root.get(path, (ctx) => {
            ctx.body = 'route'
          })
        }
        const inner = new Router()
        inner.get('/inner', (ctx) => {
          ctx.body = 'inner'
        })
        // A nested router mounted with `router.use(path, …)`: its layers are copied when mounted.
        const mounts = new Router()
        mounts.use(HOSTILE_MOUNT, inner.routes())
        app.use(mounts.routes())
      }
      if (spec.notFound !== undefined) {
        const notFound = handle(spec.notFound, metrics)
        app.use(notFound)
      }
      const server = http.createServer(plainServerOptions(spec), app.callback())
      return startPlainServer(server, metrics, spec, how)
    },
  }
}

export const KOA_FACTORIES: readonly AdapterFactory[] = [
  koaFactory('Koa 3', Koa3),
  koaFactory('Koa 2', Koa2),
]
