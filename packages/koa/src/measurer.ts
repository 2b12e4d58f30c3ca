import type { IncomingMessage } from 'node:http'
import type { ExecutionTimers, Meter } from '@routemeter/core'
import {
  type AdapterSetup,
  NO_EXECUTION_TIMERS,
  type RawResponse,
  ResponseEnds,
  reportMisorderedMount,
  TIMERS_SLOT,
} from '@routemeter/core/adapter'
import { checkApp, watchMountOrder } from './mount-order'
import { RequestTracker } from './request-tracker'
import { RouteLabels, type RouterContext } from './route-labels'

/** The part of Koa's context read here (Koa 2 and 3 alike). */
export interface KoaContext extends RouterContext {
  readonly req: IncomingMessage
  readonly res: RawResponse
  /** The URL as received, before any `koa-mount` rewrote `ctx.url`. */
  readonly originalUrl: string
  readonly app?: { readonly middleware?: readonly unknown[] }
  /** `ctx.metrics`, read and written through core's slot (see mount-order.ts). */
  [TIMERS_SLOT]?: ExecutionTimers
  /** Koa's response fields, written when the middleware answers a Prometheus scrape itself. */
  status: number
  type: string
  body: unknown
  get(field: string): string
}

export type KoaNext = () => Promise<unknown>

/** One middleware instance: its meter, its route labels, and the end of every request it measures. */
export class Measurer {
  readonly meter: Meter
  /** The function mounted with `app.use()`. */
  readonly middleware: (ctx: KoaContext, next: KoaNext) => Promise<unknown>
  private readonly ownsMeter: boolean
  /** `undefined` without an exclude list: the URL is then not even read. */
  private readonly isExcluded: ((url: string) => boolean) | undefined
  /** `undefined` without `prometheus.route`. */
  private readonly isScrape: ((url: string) => boolean) | undefined
  private readonly labels: RouteLabels
  /** Ends each request once, from the raw response's own events (shared listeners, no closure). */
  private readonly ends = new ResponseEnds<RequestTracker>(endTracker)
  /** Apps whose mount order was checked; the last one, to skip the lookup per request. */
  private readonly appsSeen = new WeakSet<object>()
  private lastApp: object | undefined = undefined

  constructor(setup: AdapterSetup) {
    this.meter = setup.meter
    this.ownsMeter = setup.ownsMeter
    this.isExcluded = setup.isExcluded
    this.isScrape = setup.isScrape
    this.labels = new RouteLabels(setup.meter)
    const measurer = this
    // Named for Koa's debug output (`DEBUG=koa:application` lists middleware by function name).
    this.middleware = function routemeterMiddleware(ctx, next) {
      return measurer.handle(ctx, next)
    }
    watchMountOrder(this)
  }

  /** Once per meter: the middleware misses requests `answeredBy` answers. */
  reportMisordered(answeredBy: string): void {
    reportMisorderedMount(
      this.meter,
      'routemeter Koa middleware',
      answeredBy,
      'app.use(metrics) first, before the routers and any middleware that answers',
    )
  }

  /**
   * The least work before `next()`: one object (`ctx.metrics`), the response tagged and two
   * shared listeners added by core's `ResponseEnds`. No `try/finally` around `next()`: the end
   * is read from the response, after Koa has written it — also the status of an error that
   * Koa's `onerror` answers once every middleware has unwound (`ctx.throw(403)`, a 500).
   * `next()`'s own promise is handed back, so the middleware adds none.
   */
  handle(ctx: KoaContext, next: KoaNext): Promise<unknown> {
    // Measured already: the middleware is mounted twice, or in a `koa-mount`ed app sharing ctx.
    if (ctx[TIMERS_SLOT] !== undefined) return next()
    if (ctx.app !== this.lastApp) this.firstRequestOf(ctx)
    if (this.isExcluded?.(ctx.originalUrl) === true) {
      ctx[TIMERS_SLOT] = NO_EXECUTION_TIMERS
      const prometheus = this.meter.prometheus
      if (prometheus !== undefined && this.isScrape?.(ctx.originalUrl) === true)
        return prometheus.respond(ctx.get('accept')).then((answer) => {
          ctx.status = answer.status
          ctx.type = answer.contentType
          ctx.body = answer.body
        })
      return next()
    }
    const tracker = new RequestTracker(
      this,
      this.meter,
      this.labels,
      ctx,
      this.meter.requestStarted(ctx.res),
    )
    ctx[TIMERS_SLOT] = tracker
    this.ends.watch(ctx.res, tracker)
    return next()
  }

  /** The first request of an app (or the first after another app's): its mount order checked. */
  private firstRequestOf(ctx: KoaContext): void {
    this.lastApp = ctx.app
    if (ctx.app === undefined || this.appsSeen.has(ctx.app)) return
    this.appsSeen.add(ctx.app)
    checkApp(ctx, ctx.app, this)
  }

  close(): Promise<void> {
    return this.ownsMeter ? this.meter.close() : this.meter.flush()
  }
}

function endTracker(tracker: RequestTracker, status: number, res: RawResponse): void {
  tracker.end(status, res)
}
