import type { IncomingMessage } from 'node:http'
import type { Meter } from '@routemeter/core'
import {
  type AdapterSetup,
  NO_EXECUTION_TIMERS,
  type RawResponse,
  ResponseEnds,
  reportMisorderedMount,
} from '@routemeter/core/adapter'
import type { Context, Next } from 'hono'
import { watchMountOrder } from './mount-order'
import { RequestTracker } from './request-tracker'
import { RouteLabels } from './route-labels'

/** What @hono/node-server passes as `c.env`: Node's own request and response. */
interface NodeBindings {
  readonly incoming?: IncomingMessage
  readonly outgoing?: RawResponse
}

/** One middleware instance: its meter, its route labels, and the end of every request it measures. */
export class Measurer {
  readonly meter: Meter
  private readonly ownsMeter: boolean
  /** `undefined` without an exclude list: the path is then not even read. */
  private readonly isExcluded: ((url: string) => boolean) | undefined
  /** `undefined` without `prometheus.route`. */
  private readonly isScrape: ((url: string) => boolean) | undefined
  private readonly labels: RouteLabels
  /** Ends each request once, from Node's raw response (shared listeners, no closure). */
  private readonly ends = new ResponseEnds<RequestTracker>(endTracker)

  constructor(setup: AdapterSetup) {
    this.meter = setup.meter
    this.ownsMeter = setup.ownsMeter
    this.isExcluded = setup.isExcluded
    this.isScrape = setup.isScrape
    this.labels = new RouteLabels(setup.meter)
    watchMountOrder(this)
  }

  /** Once per meter: the middleware misses requests `answeredBy` answers. */
  reportMisordered(answeredBy: string): void {
    reportMisorderedMount(
      this.meter,
      'routemeter Hono middleware',
      answeredBy,
      'app.use(metrics) first, before the routes and any middleware that answers',
    )
  }

  /**
   * Under @hono/node-server the end is read from Node's response (`c.env.outgoing`) by core's
   * `ResponseEnds`: the status sent — also what `onError` made of an `HTTPException` — 499 when
   * the client left first, a streamed body's full duration. Elsewhere (Bun, Deno, workers) there
   * is no such response: the request is recorded when the app has produced its Response, with
   * that Response's status; a client that leaves is not seen.
   */
  handle(c: Context, next: Next): Promise<void> {
    // Measured already: the middleware is mounted twice, or in a sub-app sharing the context.
    if (c.get('metrics') !== undefined) return next()
    if (this.isExcluded?.(c.req.path) === true) return this.unmeasured(c, next)
    const outgoing = outgoingOf(c)
    const tracker = new RequestTracker(
      this,
      this.meter,
      this.labels,
      c,
      this.meter.requestStarted(outgoing),
    )
    c.set('metrics', tracker)
    if (outgoing === undefined) return endWhenAnswered(tracker, c, next)
    this.ends.watch(outgoing, tracker)
    // `next()`'s own promise is handed back: no async frame of ours per request.
    return next()
  }

  /** An excluded request: not measured; a scrape of `prometheus.route` is answered here. */
  private async unmeasured(c: Context, next: Next): Promise<void> {
    c.set('metrics', NO_EXECUTION_TIMERS)
    const prometheus = this.meter.prometheus
    if (prometheus !== undefined && this.isScrape?.(c.req.path) === true) {
      const answer = await prometheus.respond(c.req.header('accept'))
      c.res = new Response(c.req.method === 'HEAD' ? null : answer.body, {
        status: answer.status,
        headers: { 'content-type': answer.contentType },
      })
      return
    }
    await next()
  }

  close(): Promise<void> {
    return this.ownsMeter ? this.meter.close() : this.meter.flush()
  }
}

function endTracker(tracker: RequestTracker, status: number, res: RawResponse): void {
  tracker.end(status, res)
}

/** Without Node's response (Bun, Deno, workers): recorded once Hono has its Response. */
async function endWhenAnswered(tracker: RequestTracker, c: Context, next: Next): Promise<void> {
  try {
    await next()
  } finally {
    // Hono has answered errors (`onError`) and 404s by now: `c.res` is the Response.
    tracker.end(c.res.status, undefined)
  }
}

/** Node's response under @hono/node-server; `undefined` on other runtimes. */
function outgoingOf(c: Context): RawResponse | undefined {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing
  return outgoing !== undefined && typeof outgoing === 'object' ? outgoing : undefined
}
