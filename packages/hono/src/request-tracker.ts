import type { ExecutionTimers, Meter, Stopper, Tags } from '@routemeter/core'
import type { RawResponse } from '@routemeter/core/adapter'
import type { Context } from 'hono'
import type { RouteLabels } from './route-labels'

/**
 * The one object a measured request carries, as `c.var.metrics`: its context, when it started,
 * and the middleware that measures it. Recorded once, when the response ends, with the route
 * Hono matched by then.
 */
export class RequestTracker implements ExecutionTimers {
  constructor(
    /** The middleware instance that measures this request (another instance leaves it alone). */
    readonly measurer: object,
    private readonly meter: Meter,
    private readonly labels: RouteLabels,
    private readonly c: Context,
    private readonly startedAt: number,
  ) {}

  timer(name: string, tags?: Tags): Stopper {
    return this.scope().timer(name, tags)
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    return this.scope().time(name, fn, tags)
  }

  /** Records the request with the status sent (or 499 / 408, read by core on Node). */
  end(status: number, res: RawResponse | undefined): void {
    const c = this.c
    this.meter.requestEnded(this.labels.of(c, status), c.req.method, status, this.startedAt, res, c)
  }

  /** Execution timers for the route as known now (`unmatched` before a route ran), and the method. */
  private scope(): ExecutionTimers {
    const c = this.c
    return this.labels.of(c).scope(c.req.method)
  }
}
