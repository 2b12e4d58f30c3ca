import type { Meter } from '@routemeter/core'
import type { RouteMetrics } from '@routemeter/core/adapter'
import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'

/** A route as Hono registered it (`app.get`, `app.use`, `app.route()`'s copies…): a stable object. */
interface RouterRoute {
  readonly path: string
  readonly method: string
  readonly handler?: unknown
}

/**
 * Maps the route Hono matched to its metrics, one handle per registered route, cached. Per
 * request, when it ends: Hono's list of matched routes (the one array `matchedRoutes` builds) and
 * a Map lookup.
 *
 * The label is the path of the handler that ran last (`c.req.routeIndex`), which is the full
 * template — `basePath()` and `app.route()` mount paths included, never the values. Hono
 * registers `app.use('/admin/*', mw)`, `app.all('/proxy/*', handler)` and `app.mount('/legacy',
 * other)` alike (method `ALL`, a trailing `*`); a handler that takes only the context cannot pass
 * the request on, so it is a route. One that takes `next` is middleware: when it ran last, the
 * request gets the last route matched for its method (an auth check's 401 on a route), else —
 * nothing else matched — its own wildcard template if it served the request ({@link servedBy}),
 * and `unmatched` if it passed it on to a 404 or answered an error (a 401 with no route behind
 * it), as on the other adapters.
 */
export class RouteLabels {
  /** Registered route → its metrics, or `null` for middleware. */
  private readonly byRoute = new Map<RouterRoute, RouteMetrics | null>()

  constructor(private readonly meter: Meter) {}

  /** `status`: the status sent, once the request has ended; `undefined` while it runs. */
  of(c: Context, status?: number): RouteMetrics {
    const routes = matchedRoutes(c) as readonly RouterRoute[]
    const last = routes[c.req.routeIndex]
    if (last === undefined) return this.meter.unmatched
    const known = this.byRoute.get(last) ?? this.classify(last)
    if (known !== null) return known
    const method = c.req.method
    for (let i = routes.length - 1; i >= 0; i--) {
      const route = routes[i] as RouterRoute
      const metrics = this.byRoute.get(route) ?? this.classify(route)
      if (metrics !== null && answers(route.method, method)) return metrics
    }
    return servedBy(last, status) ? this.meter.route(last.path) : this.meter.unmatched
  }

  private classify(route: RouterRoute): RouteMetrics | null {
    const metrics = isMiddleware(route) ? null : this.meter.route(route.path)
    this.byRoute.set(route, metrics)
    return metrics
  }
}

/**
 * A wildcard entry for every method whose handler takes `next`: what `app.use()` registers, and
 * also `app.mount()` and the `mount()` middleware. A handler of the context alone
 * (`app.all('/proxy/*', (c) => …)`) cannot pass the request on: a route.
 */
function isMiddleware(route: RouterRoute): boolean {
  if (route.method !== 'ALL' || !route.path.endsWith('*')) return false
  return !(typeof route.handler === 'function' && route.handler.length < 2)
}

/**
 * Whether middleware that ran last, with no route behind it, served the request itself: a 2xx
 * or 3xx under a path of its own (a mounted app, static files). App-wide middleware (`/*`, such
 * as routemeter itself) never counts: a `notFound` handler answering 200 (an SPA fallback) runs
 * after it. The meter keeps one handle per template, so the lookup allocates nothing.
 */
function servedBy(middleware: RouterRoute, status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 400 && middleware.path !== '/*'
}

/** Whether a route registered for `registered` answers `method` (Hono routes HEAD as GET). */
function answers(registered: string, method: string): boolean {
  return (
    registered === method || registered === 'ALL' || (method === 'HEAD' && registered === 'GET')
  )
}
