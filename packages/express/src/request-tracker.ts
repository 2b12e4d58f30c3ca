import type { ServerResponse } from 'node:http'
import type { ExecutionTimers, Meter, Stopper, Tags } from '@routemeter/core'
import type { RouteMetrics } from '@routemeter/core/adapter'
import type { ExpressRequest, NextFunction, RouterLike } from './express-internals'
import { hookRouter, type LayerInfo, LayerVisitor, routeLayerInfoOf } from './layer-hooks'
import { type SlottedTracker, trackerEnded } from './request-slot'
import type { RouteNode } from './route-tree'

/**
 * The one object a measured request carries, as `req.metrics`: where the request is in the app,
 * its route label so far, and when it started. The layer hooks move it through the route tree;
 * core's `ResponseEnds` (see measurer.ts) records it when the response ends, once.
 *
 * The label is the full template of the last route that matched the request (`app.get(path)`,
 * `router.route(path)`, at any depth of routers and sub-apps), from the moment the request
 * enters it. It stays when the route passes the request on — a formatter or render middleware
 * answering from `res.locals`, error middleware after the route threw (where `req.route` and
 * `req.baseUrl` no longer show where the error came from), the 404 after a guard route — until a
 * later route matches. A function mounted at a path (`app.use('/health', fn)`) labels the request
 * the same way while it runs, but gives the label back when it passes the request on unanswered,
 * so a static-files mount that lets a request through does not claim what follows — also when it
 * passes on an error (`app.use('/api', checkKey)` calling `next(err)`): the error handler that
 * answers is no route, so with no route matched the request is `unmatched`.
 *
 * A route Express matched whose `app.param()` callback rejected (`next(err)`) never runs, but it
 * matched: the request keeps it, as Koa's `router.param` does (see {@link end}). The method is
 * the one the client sent, read when the request starts: method-override middleware rewriting
 * `req.method` later (`POST /user/1/edit?_method=PUT`) does not change it (OpenTelemetry's
 * `http.request.method`).
 */
export class RequestTracker extends LayerVisitor implements ExecutionTimers, SlottedTracker {
  route: RouteMetrics | undefined = undefined
  onRequest = false
  /** The route object (`layer.route`) of the last route entered. */
  private enteredRoute: object | undefined = undefined
  /** The method the client sent. */
  private readonly method: string

  constructor(
    /** The middleware instance that measures this request (another instance leaves it alone). */
    readonly measurer: object,
    private readonly meter: Meter,
    readonly req: ExpressRequest,
    private readonly res: ServerResponse,
    public node: RouteNode,
    private readonly startedAt: number,
    /** `req.socket`, as read when the request started. */
    private readonly connection: object | undefined,
  ) {
    super()
    this.method = req.method ?? ''
  }

  enterLayer(info: LayerInfo, next: NextFunction): NextFunction {
    const owner = this.node.owning(info.owner)
    if (info.kind === 'route') {
      this.node = owner
      this.route = owner.route(info)
      this.enteredRoute = info.inner
      return next
    }
    const node = owner.mounted(info)
    this.node = node
    if (info.kind === 'router') {
      // Routes added to a mounted router after start-up are hooked before they can match.
      hookRouter(info.inner as RouterLike)
      return next
    }
    const route = node.asRoute
    const previous = this.route
    this.route = route
    return labelUntilPassedOn(this, route, previous, next)
  }

  /** Called when a mounted function passes the request on without an error. */
  passedOn(route: RouteMetrics, previous: RouteMetrics | undefined): void {
    // A label set further in (a sub-application's route) or a response already sent stays.
    if (this.route === route && !this.res.headersSent) this.route = previous
  }

  /** A sub-application (or the same middleware mounted again) reached from inside this request. */
  enterApp(router: RouterLike): void {
    hookRouter(router)
    this.node = this.node.child(router, '')
  }

  timer(name: string, tags?: Tags): Stopper {
    return this.scope().timer(name, tags)
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    return this.scope().time(name, fn, tags)
  }

  /** Records the request with the status core read from the response (sent, 499 or 408). */
  end(status: number): void {
    trackerEnded(this, this.connection)
    this.takeRouteWithRejectedParam()
    this.meter.requestEnded(
      this.route ?? this.meter.unmatched,
      this.method,
      status,
      this.startedAt,
      this.res,
      this.req,
    )
  }

  /**
   * Express sets `req.route` when a route matches, then runs its `app.param()` callbacks, then
   * enters the route. A matched route that was never entered is one whose param callback passed
   * an error on: the label is that route. Its router is the one the request was last in (no
   * layer is entered after an error but error handlers, which are not hooked).
   */
  private takeRouteWithRejectedParam(): void {
    // Without a param callback in the router the request is in, every route matched was
    // entered; `req.route` is then not read (a read of `req` costs, see request-slot.ts).
    if (!hasParamCallbacks(this.node.inner)) return
    const matched = this.req.route
    if (matched === undefined || matched === this.enteredRoute) return
    const info = routeLayerInfoOf(matched)
    if (info === undefined) return
    this.route = this.node.owning(info.owner).route(info)
  }

  /** Execution timers for the route as known now, and the method. */
  private scope(): ExecutionTimers {
    return (this.route ?? this.meter.unmatched).scope(this.method)
  }
}

/**
 * The `next` given to a function mounted at a path: one small closure per such layer entered,
 * the only way to see the request leave through it. Routes and router mounts need none.
 */
function labelUntilPassedOn(
  tracker: RequestTracker,
  route: RouteMetrics,
  previous: RouteMetrics | undefined,
  next: NextFunction,
): NextFunction {
  return (err?: unknown) => {
    // Passed on unanswered, with or without an error (`next('route')`, `next(err)`): what
    // answers next — a later route, an error handler, the 404 — is not this function.
    tracker.passedOn(route, previous)
    next(err)
  }
}

/** Whether `router` (Express 4's or router 2's) has an `app.param()` / `router.param()` callback. */
function hasParamCallbacks(router: object): boolean {
  const params = (router as { readonly params?: unknown }).params
  if (typeof params !== 'object' || params === null) return false
  for (const _name in params) return true
  return false
}
