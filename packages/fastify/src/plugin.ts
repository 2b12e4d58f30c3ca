import { type ExecutionTimers, setUpAdapter } from '@routemeter/core'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
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
 * The routemeter Fastify plugin: per-route request counts and latency, per-handler execution
 * timers, pushed over StatsD. Wrapped with fastify-plugin, so its decorators and hooks belong to
 * the scope it is registered in (normally the root) and every plugin there, rather than to a
 * child scope of their own that no route would live in.
 */
export const routemeter: FastifyPluginAsync<RoutemeterOptions> = fp(routemeterPlugin, {
  name: '@routemeter/fastify',
  fastify: SUPPORTED_FASTIFY,
})
