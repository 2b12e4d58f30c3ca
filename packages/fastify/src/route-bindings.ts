import type { Meter, MeterLogger } from '@routemeter/core'
import type { RouteMetrics } from '@routemeter/core/adapter'
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
  /**
   * Where Fastify keeps the request's route context: found on the first request and checked
   * against `routeOptions` there; `null` when not found (then `routeOptions` is read).
   */
  private contextKey: symbol | null | undefined = undefined

  constructor(
    private readonly meter: Meter,
    private readonly logger: MeterLogger,
  ) {}

  /** The route handle for this request, or `null` when its route opted out. */
  routeOf(request: FastifyRequest): RouteMetrics | null {
    const config = this.configOf(request)
    if (config === undefined) return this.meter.unmatched
    const found = this.byConfig.get(config)
    if (found !== undefined) return found
    const route = this.bind(request, config)
    this.byConfig.set(config, route)
    return route
  }

  /**
   * The route context's `config`: the one object per context, so it keys the cache.
   * `routeOptions` is Fastify's public view of it, but a getter that builds a 12-field object on
   * every call; the context itself is one property of the request. Its key is taken from the
   * first request only when that property's `config` is the very object `routeOptions` gives.
   */
  private configOf(request: FastifyRequest): object | undefined {
    const key = this.contextKey === undefined ? this.findContextKey(request) : this.contextKey
    if (key === null) return request.routeOptions.config as object | undefined
    return (request as unknown as Record<symbol, { config?: object } | undefined>)[key]?.config
  }

  private findContextKey(request: FastifyRequest): symbol | null {
    const expected = request.routeOptions.config
    const fields = request as unknown as Record<symbol, { config?: unknown } | undefined>
    const key = Object.getOwnPropertySymbols(request).find(
      (symbol) => symbol.description === 'fastify.context',
    )
    this.contextKey = key !== undefined && fields[key]?.config === expected ? key : null
    return this.contextKey
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
