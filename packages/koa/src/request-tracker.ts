import type { ExecutionTimers, Meter, Stopper, Tags } from '@routemeter/core'
import type { RawResponse } from '@routemeter/core/adapter'
import type { RouteLabels, RouterContext } from './route-labels'

/**
 * The one object a measured request carries, as `ctx.metrics`: its context, when it started, and
 * the middleware that measures it. Core's `ResponseEnds` (see measurer.ts) records it once, when
 * the response ends, with the route @koa/router matched by then, and the method the client sent
 * (read now: method-override middleware rewriting `ctx.method` later does not change it).
 */
export class RequestTracker implements ExecutionTimers {
  private readonly method: string

  constructor(
    /** The middleware instance that measures this request (another instance leaves it alone). */
    readonly measurer: object,
    private readonly meter: Meter,
    private readonly labels: RouteLabels,
    private readonly ctx: RouterContext,
    private readonly startedAt: number,
  ) {
    this.method = ctx.method
  }

  timer(name: string, tags?: Tags): Stopper {
    return this.scope().timer(name, tags)
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    return this.scope().time(name, fn, tags)
  }

  /** Records the request with the status core read from the response (sent, 499 or 408). */
  end(status: number, res: RawResponse): void {
    const ctx = this.ctx
    this.meter.requestEnded(this.labels.of(ctx), this.method, status, this.startedAt, res, ctx)
  }

  /** Execution timers for the route as known now (`unmatched` before the router ran), and the method. */
  private scope(): ExecutionTimers {
    return this.labels.of(this.ctx).scope(this.method)
  }
}
