import type { ExecutionTimers, Meter, Stopper, Tags } from '@routemeter/core'
import type { RawResponse } from '@routemeter/core/adapter'
import type { RouteLabels, RouterContext } from './route-labels'

/**
 * The one object a measured request carries, as `ctx.metrics`: its context, when it started, and
 * the middleware that measures it. Core's `ResponseEnds` (see measurer.ts) records it once, when
 * the response ends, with the route @koa/router matched by then.
 */
export class RequestTracker implements ExecutionTimers {
  constructor(
    /** The middleware instance that measures this request (another instance leaves it alone). */
    readonly measurer: object,
    private readonly meter: Meter,
    private readonly labels: RouteLabels,
    private readonly ctx: RouterContext,
    private readonly startedAt: number,
  ) {}

  timer(name: string, tags?: Tags): Stopper {
    return this.scope().timer(name, tags)
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    return this.scope().time(name, fn, tags)
  }

  /** Records the request with the status core read from the response (sent, 499 or 408). */
  end(status: number, res: RawResponse): void {
    const ctx = this.ctx
    this.meter.requestEnded(this.labels.of(ctx), ctx.method, status, this.startedAt, res, ctx)
  }

  /** Execution timers for the route as known now (`unmatched` before the router ran), and the method. */
  private scope(): ExecutionTimers {
    const ctx = this.ctx
    return this.labels.of(ctx).scope(ctx.method)
  }
}
