import type { Meter } from '@routemeter/core'
import type { RouteMetrics } from '@routemeter/core/adapter'

/**
 * What @koa/router (tested: v15, on Koa 2 and 3) leaves on the context, read when the request
 * ends. Only these fields are read; nothing here needs @koa/router installed.
 */
export interface RouterContext {
  readonly method: string
  /**
   * The path of the router layer that ran last: a route's template (prefixes and mount paths
   * included, never the matched values), a RegExp route as its RegExp — or, when `router.use()`
   * middleware answered before the route ran, that middleware layer's own path.
   */
  readonly _matchedRoute?: unknown
  /** Every layer of every router whose path matched the request, in order; absent when none ran. */
  readonly matched?: readonly RouterLayer[] | undefined
}

interface RouterLayer {
  readonly path: unknown
  /** Empty for `router.use()` middleware; a route's methods (with `HEAD` beside `GET`). */
  readonly methods: readonly string[]
}

/**
 * Maps what @koa/router recorded to the route's metrics, one handle per layer path, cached:
 * per request one Map lookup. The label is the template of the route the request matched, or
 * `unmatched` when none did (a 404, a 405 from `allowedMethods()`).
 *
 * That is `_matchedRoute` itself, except when router middleware answered instead of the route
 * (`router.use(auth)` rejecting with 401): `_matchedRoute` is then the middleware's path — for a
 * pathless `use` in a prefixed router a raw pattern such as `/api(?:\/|$)`, no route at all — so
 * the request gets the route the router matched for it: the last route layer for its method,
 * the one @koa/router itself names before running the chain.
 */
export class RouteLabels {
  /** Layer path → its route's metrics, or `null` for the path of `router.use()` middleware. */
  private readonly byPath = new Map<unknown, RouteMetrics | null>()

  constructor(private readonly meter: Meter) {}

  of(ctx: RouterContext): RouteMetrics {
    const path = ctx._matchedRoute
    if (path === undefined || path === null) return this.meter.unmatched
    const known = this.byPath.get(path)
    if (known !== undefined && known !== null) return known
    return this.resolve(ctx, path, known === null)
  }

  /** A path seen for the first time, or a middleware's path. */
  private resolve(ctx: RouterContext, path: unknown, isMiddleware: boolean): RouteMetrics {
    if (!isMiddleware) {
      if (hasRouteLayer(ctx, path)) return this.remember(path)
      this.byPath.set(path, null)
    }
    const routePath = lastRouteFor(ctx)
    return routePath === undefined ? this.meter.unmatched : this.remember(routePath)
  }

  private remember(path: unknown): RouteMetrics {
    let route = this.byPath.get(path)
    if (route === undefined || route === null) {
      // A RegExp route is labelled with its source, as Express labels RegExp routes.
      route = this.meter.route(String(path))
      this.byPath.set(path, route)
    }
    return route
  }
}

/** Whether a route layer (not `router.use()` middleware) among those matched has `path`. */
function hasRouteLayer(ctx: RouterContext, path: unknown): boolean {
  for (const layer of ctx.matched ?? []) {
    if (layer.path === path && layer.methods.length !== 0) return true
  }
  return false
}

/** The path of the last route layer matched for the request's method. */
function lastRouteFor(ctx: RouterContext): unknown {
  const matched = ctx.matched
  if (matched === undefined) return undefined
  for (let i = matched.length - 1; i >= 0; i--) {
    const layer = matched[i] as RouterLayer
    if (layer.methods.length !== 0 && layer.methods.includes(ctx.method)) return layer.path
  }
  return undefined
}
