import type { IncomingMessage, Server } from 'node:http'
import { Readable } from 'node:stream'
import { createAdaptorServer, type HttpBindings } from '@hono/node-server'
import {
  type AdapterFactory,
  type AppSpec,
  defaultErrorReply,
  type Handler,
  HOSTILE_MOUNT,
  plainServerOptions,
  type Reply,
  type StartOptions,
  startPlainServer,
  withAppLogger,
} from '@routemeter/conformance'
import type { AdapterOptions } from '@routemeter/core/adapter'
import { type Context, Hono } from 'hono'
import { type RoutemeterEnv, type RoutemeterMiddleware, routemeter } from '../../src/index'

type Env = RoutemeterEnv & { Bindings: HttpBindings }

/** Hono route paths take these as they are; RegExp routes do not exist in Hono. */
const HOSTILE_PATHS = ['/odd/a@b=c;d,e']

function send(c: Context<Env>, answer: Reply): Response {
  const status = (answer.status ?? 200) as 200
  if (answer.stream !== undefined) {
    // Node's Readable as a web stream: cancelled (and the Readable destroyed) when the client leaves.
    return new Response(Readable.toWeb(answer.stream) as ReadableStream, {
      status,
      headers: { 'content-type': 'text/plain' },
    })
  }
  // The content type Express, Fastify and Koa send, which the suite's load scenarios compare.
  if (answer.json !== undefined) {
    // A fresh headers object each time: @hono/node-server writes `content-length` into it.
    return new Response(JSON.stringify(answer.json), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
  }
  if (answer.text !== undefined) return c.text(answer.text, status)
  return c.body(null, status)
}

/** Runs a neutral handler as a Hono handler; what it throws goes to `app.onError`. */
function handle(handler: Handler, metrics: RoutemeterMiddleware | undefined) {
  return async (c: Context<Env>): Promise<Response> => {
    const incoming: IncomingMessage = c.env.incoming
    const body = c.req.header('content-type')?.startsWith('application/json')
      ? await c.req.json()
      : undefined
    const answer = await handler({
      method: c.req.method,
      path: c.req.path,
      params: c.req.param() as Record<string, string>,
      headers: incoming.headers,
      body,
      metrics: metrics === undefined ? undefined : c.var.metrics,
      meter: metrics?.meter,
    })
    return send(c, answer)
  }
}

/** Hono on @hono/node-server with `app.use(routemeter(options))` first, as the README shows. */
export const honoFactory: AdapterFactory = {
  name: 'Hono',
  supports: {
    routeLabel: { unsupported: 'Hono has no per-route options; the registered path is the label' },
    routeOptOut: { unsupported: 'Hono has no per-route options; use the `exclude` option' },
    rawOptions: true,
  },
  loadScale: 0.5,
  readHeader: (request, name) => (request as Context).req.header(name),
  hostileRoutes: {
    requests: [...HOSTILE_PATHS, `${HOSTILE_MOUNT}/inner`],
    labels: [...HOSTILE_PATHS, `${HOSTILE_MOUNT}/inner`],
  },

  async start(spec: AppSpec, options: AdapterOptions | undefined, how: StartOptions = {}) {
    // Hono has no logger of its own: routemeter's faults go to the `logger` option.
    const metrics = options === undefined ? undefined : routemeter(withAppLogger(options, how))
    const app = new Hono<Env>()
    if (metrics !== undefined) app.use(metrics)
    // Routes without a prefix on the app; each prefix a sub-app mounted with `app.route()` once
    // its routes are in (Hono copies a sub-app's routes when it is mounted).
    const subApps = new Map<string, Hono<Env>>()
    for (const route of spec.routes) {
      if (route.label !== undefined || route.measured !== undefined) {
        throw new Error('Hono has no per-route metrics options')
      }
      const methods = typeof route.method === 'string' ? [route.method] : [...route.method]
      let target = app
      if (route.prefix !== undefined) {
        let sub = subApps.get(route.prefix)
        if (sub === undefined) {
          sub = new Hono<Env>()
          subApps.set(route.prefix, sub)
        }
        target = sub
      }
      target.on(methods, route.path, handle(route.handler, metrics))
    }
    for (const [prefix, sub] of subApps) app.route(prefix, sub)
    if (spec.hostileRoutes) {
      for (const path of HOSTILE_PATHS) app.get(path, (c) => c.text('route'))
      const inner = new Hono<Env>()
      inner.get('/inner', (c) => c.text('inner'))
      app.route(HOSTILE_MOUNT, inner)
    }
    if (spec.notFound !== undefined) app.notFound(handle(spec.notFound, metrics))
    const onError = spec.onError ?? defaultErrorReply
    app.onError((error, c) => send(c, onError(error)))
    const server = createAdaptorServer({
      fetch: app.fetch,
      serverOptions: plainServerOptions(spec),
    }) as Server
    return startPlainServer(server, metrics, spec, how)
  },
}
