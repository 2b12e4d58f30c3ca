import type { ExecutionTimers } from '@routemeter/core'
import { setUpAdapter } from '@routemeter/core/adapter'
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import './augmentation'
import { adapterOptions, type RoutemeterOptions } from './options'
import { RequestLifecycle } from './request-lifecycle'
import { kPhase, kRoute, kStartedAt, type MeasuredRequest, OPEN } from './request-state'
import { RouteBindings } from './route-bindings'
import { validateRouteSetting } from './route-config'

/** The Fastify versions this plugin is built and tested for; fastify-plugin enforces it. */
export const SUPPORTED_FASTIFY = '5.x'

const routemeterPlugin: FastifyPluginAsync<RoutemeterOptions> = async (fastify, options) => {
  refuseSecondRegistration(fastify)
  const { meter, ownsMeter, isExcluded } = setUpAdapter(adapterOptions(options), fastify.log)
  try {
    const bindings = new RouteBindings(meter, meter.options.logger)
    const lifecycle = new RequestLifecycle(meter, bindings, isExcluded)

    fastify.decorate('metrics', meter)
    // Declared up front so Fastify's request constructor sets them: one request shape.
    fastify.decorateRequest(kRoute, undefined)
    fastify.decorateRequest(kStartedAt, 0)
    fastify.decorateRequest(kPhase, OPEN)
    fastify.decorateRequest('metrics', {
      getter(this: FastifyRequest): ExecutionTimers {
        return lifecycle.timersOf(this as MeasuredRequest)
      },
    })

    // Routes declared from now on are checked at startup; earlier ones when first requested.
    fastify.addHook('onRoute', (route) => {
      validateRouteSetting(route.config?.metrics, `route ${String(route.method)} ${route.url}`)
    })
    fastify.addHook('onRequest', lifecycle.onRequest)
    const prometheus = meter.prometheus
    if (prometheus?.route !== undefined) {
      // Excluded by setUpAdapter like any listed path: a scrape is not a request of the app's.
      fastify.get(prometheus.route, async (request, reply) => {
        const answer = await prometheus.respond(request.headers.accept)
        return reply.code(answer.status).type(answer.contentType).send(answer.body)
      })
    }
    fastify.addHook('onSend', lifecycle.onSend)

    fastify.addHook('onClose', async () => {
      // A meter the user handed in is theirs to close; it only gets what this app recorded.
      if (ownsMeter) await meter.close()
      else await meter.flush()
    })
  } catch (error) {
    if (ownsMeter) void meter.close()
    throw error
  }
}

/**
 * A second registration would fail in Fastify's `decorate` with `FST_ERR_DEC_ALREADY_PRESENT`
 * about `'metrics'` (or a symbol of ours, in a child scope), which names neither routemeter nor
 * the fix; say both, before any meter is created.
 */
function refuseSecondRegistration(fastify: FastifyInstance): void {
  if (fastify.hasRequestDecorator(kRoute)) {
    throw new Error(
      'routemeter: @routemeter/fastify is registered twice in this app (here, or in a parent scope whose decorators this one inherits). Register it once, at the root — `await app.register(routemeter, options)` — and it measures every route of every plugin; to record several apps into one meter, give each `{ meter }`.',
    )
  }
  if (fastify.hasDecorator('metrics')) {
    throw new Error(
      'routemeter: another plugin has already decorated this Fastify instance with `metrics`, the name @routemeter/fastify decorates it with (its meter: app.metrics, request.metrics). Register only one of the two metrics plugins, or register the other in a scope of its own (a plugin without fastify-plugin).',
    )
  }
}

/**
 * The routemeter Fastify plugin: per-route request counts and latency, per-handler execution
 * timers, pushed over StatsD. Wrapped with fastify-plugin, so its decorators and hooks belong to
 * the scope it is registered in (normally the root) and every plugin there, rather than to a
 * child scope of their own that no route would live in.
 */
export const routemeter: FastifyPluginAsync<RoutemeterOptions> = fp(routemeterPlugin, {
  name: '@routemeter/fastify',
  fastify: SUPPORTED_FASTIFY,
})
