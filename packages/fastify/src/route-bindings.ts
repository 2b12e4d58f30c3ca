import type { Meter, MeterLogger, RouteMetrics } from '@routemeter/core'
import type { FastifyRequest } from 'fastify'
import { readRouteSetting, validateRouteSetting } from './route-config'

/**
 * Maps a request to its route handle, worked out once per route and cached.
 *
 * The cache key is the route's config object: Fastify builds one per route context (one per
 * route and method set, one per 404 handler) and hands the same object to every request of it.
 * Looking it up lazily, rather than from an onRoute allow-list, measures routes declared before
 * the plugin was registered too. The WeakMap belongs to one app, so apps never share state.
 */
export class RouteBindings {
  private readonly byConfig = new WeakMap<object, RouteMetrics | null>()

  constructor(
    private readonly meter: Meter,
    private readonly logger: MeterLogger,
  ) {}

  /** The route handle for this request, or `null` when its route opted out. */
  routeOf(request: FastifyRequest): RouteMetrics | null {
    // `routeOptions` is Fastify's public view of the route context; its `config` is the one
    // object per context, so it keys the cache without touching Fastify's private symbols.
    const config = request.routeOptions.config as object | undefined
    if (config === undefined) return this.meter.unmatched
    const found = this.byConfig.get(config)
    if (found !== undefined) return found
    const route = this.bind(request, config)
    this.byConfig.set(config, route)
    return route
  }

  private bind(request: FastifyRequest, config: object): RouteMetrics | null {
    const { url, method, metrics } = config as {
      url?: unknown
      method?: unknown
      metrics?: unknown
    }
    try {
      validateRouteSetting(
        metrics,
        typeof url === 'string' ? `route ${String(method)} ${url}` : 'the 404 handler',
      )
    } catch (error) {
      // Routes declared before the plugin skipped the startup check; a bad setting must not
      // fail requests, so it is reported once (this runs once per route) and ignored.
      this.logger.warn(`${(error as Error).message}; measuring the route with its defaults`)
    }
    const setting = readRouteSetting(metrics)
    if (!setting.measured) return null
    if (setting.label !== undefined) return this.meter.route(setting.label)
    // No route matched: one fixed bucket, never the raw URL.
    if (request.is404 || typeof url !== 'string') return this.meter.unmatched
    return this.meter.route(url)
  }
}
