import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type AdapterFactory,
  type AppSpec,
  defaultErrorReply,
  type Handler,
  HOSTILE,
  HUGE,
  type NeutralRequest,
  type Reply,
  type RouteSpec,
  type StartOptions,
} from '@routemeter/conformance'
import type { AdapterOptions } from '@routemeter/core/adapter'
import Fastify, { type FastifyHttpOptions, type FastifyReply, type FastifyRequest } from 'fastify'
import routemeter, { type RouteMetricsSetting, type RoutemeterOptions } from '../src/index'

/** Methods Fastify does not route until told (`addHttpMethod`). */
const CUSTOM_METHODS = ['PROPFIND', 'M-SEARCH', 'PURGE']

/** Route labels (`config.metrics.route`) carry every hostile string; paths carry what Fastify's router takes. */
const LABELS = [...HOSTILE, HUGE]
const HOSTILE_PATHS = ['/odd/a@b=c;d,e', '/with space', '/ünï/漢字']

function neutral(request: FastifyRequest, measured: boolean): NeutralRequest {
  const app = request.server
  return {
    method: request.method,
    path: request.url.split('?', 1)[0] ?? '',
    params: request.params as Record<string, string>,
    headers: request.headers,
    body: request.body,
    metrics: measured ? request.metrics : undefined,
    meter: measured ? app.metrics : undefined,
  }
}

function send(reply: FastifyReply, answer: Reply): FastifyReply {
  reply.code(answer.status ?? 200)
  if (answer.json !== undefined) return reply.send(answer.json)
  if (answer.stream !== undefined) return reply.type('text/plain').send(answer.stream)
  return reply.send(answer.text)
}

/** Fastify 5 with `app.register(routemeter, options)` first, as the README shows. */
export const fastifyFactory: AdapterFactory = {
  name: 'Fastify',
  supports: {
    routeLabel: true,
    routeOptOut: true,
    rawOptions: {
      unsupported:
        'Fastify takes `prefix` as its own register option and validates the options object before the plugin sees it',
    },
  },
  loadScale: 1,
  hostileRoutes: {
    requests: [
      ...LABELS.map((_, i) => `/labelled/${i}`),
      '/odd/a@b=c;d,e',
      '/with%20space',
      `/${encodeURIComponent('ünï')}/${encodeURIComponent('漢字')}`,
    ],
    labels: [...LABELS, ...HOSTILE_PATHS],
  },

  readHeader: (request, name) => {
    const value = (request as FastifyRequest).headers[name]
    return Array.isArray(value) ? value.join(',') : value
  },

  async start(spec: AppSpec, options: AdapterOptions | undefined, how: StartOptions = {}) {
    const serverOptions: FastifyHttpOptions<Server> = {}
    if (how.appLog !== undefined) {
      const log = how.appLog
      serverOptions.logger = {
        level: 'warn',
        stream: { write: (line: string) => log.push(JSON.parse(line).msg) },
      }
    }
    if (spec.large) {
      // Big enough for 1 MB paths, header values and bodies.
      serverOptions.http = { maxHeaderSize: 16 * 1024 * 1024 }
      serverOptions.routerOptions = { maxParamLength: 4 * 1024 * 1024 }
      serverOptions.bodyLimit = 16 * 1024 * 1024
    }
    // Fastify's forced shutdown: app.close() destroys the connections with requests in flight.
    if (spec.forceCloseConnections) serverOptions.forceCloseConnections = true
    const app = Fastify(serverOptions)
    how.onServer?.(app.server)
    const measured = options !== undefined
    try {
      if (measured) await app.register(routemeter, pluginOptions(options))
      const methods = new Set(
        spec.routes.flatMap((route) =>
          typeof route.method === 'string' ? [route.method] : route.method,
        ),
      )
      for (const method of CUSTOM_METHODS) {
        if (methods.has(method)) app.addHttpMethod(method, { overrideExisting: true })
      }
      const handle = (handler: Handler) => async (request: FastifyRequest, reply: FastifyReply) =>
        send(reply, await handler(neutral(request, measured)))
      // Before the routes: a route takes the error handler its context has when it is added.
      const onError = spec.onError ?? defaultErrorReply
      app.setErrorHandler((error, _request, reply) => send(reply, onError(error)))
      if (spec.notFound !== undefined) app.setNotFoundHandler(handle(spec.notFound))
      for (const route of spec.routes) {
        const options = {
          method: route.method as string | string[],
          url: route.path,
          ...routeConfig(route),
          handler: handle(route.handler),
        }
        if (route.prefix === undefined) app.route(options)
        else
          await app.register(async (child) => void child.route(options), { prefix: route.prefix })
      }
      if (spec.hostileRoutes) {
        for (const [i, label] of LABELS.entries()) {
          app.get(
            `/labelled/${i}`,
            { config: { metrics: { route: label } } },
            async () => 'labelled',
          )
        }
        for (const path of HOSTILE_PATHS) app.get(path, async () => 'odd')
      }
      await app.listen({ port: 0, host: '127.0.0.1' })
    } catch (error) {
      await app.close().catch(() => {})
      throw error
    }
    return {
      port: (app.server.address() as AddressInfo).port,
      server: app.server,
      meter: measured ? app.metrics : undefined,
      shutdown: () => app.close(),
      closeMetrics: () => app.metrics.close(),
      async dispose() {
        app.server.closeAllConnections()
        await app.close()
      },
    }
  },
}

/** A route's `config.metrics`: opted out, relabelled, or the default. */
function routeConfig(route: RouteSpec): { config?: { metrics: RouteMetricsSetting } } {
  if (route.measured === false) return { config: { metrics: false } }
  if (route.label !== undefined) return { config: { metrics: { route: route.label } } }
  return {}
}

/** Core's `prefix: null` (no prefix whatever the environment says) is `''` for the plugin. */
function pluginOptions(options: AdapterOptions): RoutemeterOptions {
  if (typeof options !== 'object' || options === null || !('prefix' in options)) {
    return options as RoutemeterOptions
  }
  const { prefix, ...rest } = options
  return prefix === null ? { ...rest, prefix: '' } : (options as RoutemeterOptions)
}
