import type { Meter } from '@routemeter/core'
import type { RouteMetrics } from '@routemeter/core/adapter'
import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'

/** A route as Hono registered it (`app.get`, `app.use`, `app.route()`'s copies…): a stable object. */
interface RouterRoute {
  readonly path: string
  readonly method: string
}

/**
 * Maps the route Hono matched to its metrics, one handle per registered route, cached. Per
 * request, when it ends: Hono's list of matched routes (the one array `matchedRoutes` builds) and
 * a Map lookup.
 *
 * The label is the path of the handler that ran last (`c.req.routeIndex`), which is the full
 * template — `basePath()` and `app.route()` mount paths included, never the values. When that is
 * middleware (`app.use()`, method `ALL` on a wildcard path) — an auth check answering 401, or
 * nothing after it matched — the request gets the last route matched for its method instead, or
 * `unmatched` when there is none (a 404).
 */
export class RouteLabels {
  /** Registered route → its metrics, or `null` for middleware. */
  private readonly byRoute = new Map<RouterRoute, RouteMetrics | null>()

  constructor(private readonly meter: Meter) {}

  of(c: Context): RouteMetrics {
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
    return this.meter.unmatched
  }

  private classify(route: RouterRoute): RouteMetrics | null {
    const metrics =
      route.method === 'ALL' && route.path.endsWith('*') ? null : this.meter.route(route.path)
    this.byRoute.set(route, metrics)
    return metrics
  }
}

/** Whether a route registered for `registered` answers `method` (Hono routes HEAD as GET). */
function answers(registered: string, method: string): boolean {
  return (
    registered === method || registered === 'ALL' || (method === 'HEAD' && registered === 'GET')
  )
}
