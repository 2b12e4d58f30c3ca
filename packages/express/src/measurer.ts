import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Meter } from '@routemeter/core'
import {
  type AdapterSetup,
  NO_EXECUTION_TIMERS,
  ResponseEnds,
  reportMisorderedMount,
} from '@routemeter/core/adapter'
import {
  type AppLike,
  type ExpressRequest,
  isRouter,
  type NextFunction,
  type RouterLike,
  routerOf,
} from './express-internals'
import { hookRouter, layerInfoOf, mountChainTo } from './layer-hooks'
import { checkLayersBefore, measuresRequestsOf, watchMountOrder } from './mount-order'
import { attachTracker, connectionOf, markUnmeasured, trackerOf } from './request-slot'
import { RequestTracker } from './request-tracker'
import { RouteNode } from './route-tree'
import { joinTemplate, renderMountPath } from './template'

type MeasuredRequest = ExpressRequest & IncomingMessage

interface AppEntry {
  readonly router: RouterLike | undefined
  readonly start: RouteNode
}

/** One middleware instance: its meter, and the route tree of each app it is mounted in. */
export class Measurer {
  readonly meter: Meter
  /** The function mounted with `app.use()`. */
  readonly middleware: (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void
  private readonly ownsMeter: boolean
  /** `undefined` without an exclude list: the URL is then not even read. */
  private readonly isExcluded: ((url: string) => boolean) | undefined
  /** `undefined` without `prometheus.route`. */
  private readonly isScrape: ((url: string) => boolean) | undefined
  /** By the prototype Express gives the app's requests (see {@link handle}). */
  private readonly apps = new Map<unknown, AppEntry>()
  /** Ends each request once, from the response's own events (shared listeners, no closure). */
  private readonly ends = new ResponseEnds<RequestTracker>(endTracker)
  // The app of the last request: almost always the only one, so no map lookup per request.
  private lastProto: unknown = undefined
  private last: AppEntry | undefined = undefined
  private lateTimersReported = false

  constructor(setup: AdapterSetup) {
    this.meter = setup.meter
    this.ownsMeter = setup.ownsMeter
    this.isExcluded = setup.isExcluded
    this.isScrape = setup.isScrape
    const measurer = this
    // Named for Express' debug output (`DEBUG=express:*` lists layers by function name).
    this.middleware = function routemeterMiddleware(req, res, next) {
      measurer.handle(req as MeasuredRequest, res, next)
    }
    watchMountOrder(this)
  }

  /** Once per meter: the middleware misses requests `answeredBy` answers. */
  reportMisordered(answeredBy: string): void {
    reportMisorderedMount(
      this.meter,
      'routemeter Express middleware',
      answeredBy,
      'app.use(metrics) right after creating the app, before any route or router',
    )
  }

  reportLateTimers(): void {
    if (this.lateTimersReported) return
    this.lateTimersReported = true
    try {
      this.meter.options.logger.warn(
        'routemeter: req.metrics was read after its response had gone out and two more requests had started on its keep-alive connection; those timers were not recorded. Start a timer before sending the response and stop it after (const stop = req.metrics.timer(name); res.send(body); await work(); stop()), or time the work before sending.',
      )
    } catch {
      // A throwing logger must not turn a notice into an app fault.
    }
  }

  /**
   * The least work before `next()`: one object, and nothing added to the request or the
   * response. In Node's HTTP server no two request (or response) objects share a hidden class,
   * so every property added to one is a fresh map transition, about a microsecond each plus its
   * garbage; hence the tracker is `req.metrics` itself and is kept on the connection (see
   * request-slot.ts), and core's `ResponseEnds` keeps its record there too.
   */
  handle(req: MeasuredRequest, res: ServerResponse, next: NextFunction): void {
    const connection = connectionOf(req)
    const existing = trackerOf(req, connection)
    if (existing !== undefined && this.alreadyMeasured(existing, req)) {
      next()
      return
    }
    const url = this.isExcluded === undefined ? '' : (req.originalUrl ?? req.url ?? '')
    if (this.isExcluded?.(url) === true) {
      markUnmeasured(req, res, connection)
      const prometheus = this.meter.prometheus
      if (prometheus !== undefined && this.isScrape?.(url) === true) prometheus.handle(req, res)
      else next()
      return
    }
    // Express gives each app's requests that app's own prototype (`app.request`): it tells the
    // app without a read of `req.app`, which would miss V8's caches on every request.
    const proto: unknown = Object.getPrototypeOf(req)
    const entry =
      proto === this.lastProto && this.last !== undefined ? this.last : this.entryFor(req, proto)
    // Layers added to the app after the first request are hooked before they can match.
    if (entry.router !== undefined) hookRouter(entry.router)
    const tracker = new RequestTracker(
      this,
      this.meter,
      req,
      res,
      entry.start,
      this.meter.requestStarted(res),
      connection,
    )
    attachTracker(tracker, res, connection)
    this.ends.watch(res, tracker, connection)
    next()
  }

  close(): Promise<void> {
    return this.ownsMeter ? this.meter.close() : this.meter.flush()
  }

  /**
   * Whether the request passed this middleware already (or one like it): it is mounted again
   * further in, typically in a sub-application (`app.use('/admin', admin)` with
   * `admin.use(metrics)`), whose routes then get full labels. A request measured by another
   * instance is left to it.
   */
  private alreadyMeasured(existing: unknown, req: MeasuredRequest): boolean {
    if (existing === NO_EXECUTION_TIMERS) return true
    if (!(existing instanceof RequestTracker)) return false
    if (existing.measurer === this) {
      const router = routerOf(req.app)
      if (router !== undefined) existing.enterApp(router)
    }
    return true
  }

  private entryFor(req: MeasuredRequest, proto: unknown): AppEntry {
    let entry = this.apps.get(proto)
    if (entry === undefined) {
      entry = this.describeApp(req.app)
      this.apps.set(proto, entry)
      measuresRequestsOf(proto, this)
    }
    this.lastProto = proto
    this.last = entry
    return entry
  }

  /**
   * Hooks the app's routers (once) and finds where this middleware sits: at the top usually, or
   * inside a mounted router, whose mount paths then start every label.
   */
  private describeApp(app: AppLike | undefined): AppEntry {
    const router = routerOf(app)
    if (router === undefined) {
      // Not an Express app: requests are still counted, all as unmatched.
      return { router, start: new RouteNode(this.meter, undefined, {}, '') }
    }
    hookRouter(router)
    let start = new RouteNode(this.meter, undefined, router, appTemplate(app))
    const chain = mountChainTo(router, this.middleware)
    // Not in the app's stack: called from a middleware of the app's own (`(req, res, next) =>
    // skip(req) ? next() : metrics(req, res, next)`), so where it runs in the stack is unknown
    // and the order is not checked.
    if (chain === undefined) return { router, start }
    let holder = router
    for (const layer of chain) {
      const info = layerInfoOf(layer)
      if (info !== undefined) start = start.mounted(info)
      if (isRouter(layer.handle)) holder = layer.handle
    }
    checkLayersBefore(holder.stack, this)
    return { router, start }
  }
}

function endTracker(tracker: RequestTracker, status: number): void {
  tracker.end(status)
}

/** The mount path of a sub-application measured on its own, through its parents. */
function appTemplate(app: AppLike | undefined, depth = 0): string {
  const parent = app?.parent
  if (app === undefined || parent === undefined || parent === null || depth > 32) return ''
  return joinTemplate(appTemplate(parent, depth + 1), renderMountPath(app.mountpath))
}
