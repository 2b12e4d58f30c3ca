import type { Meter } from '@routemeter/core'
import { type AdapterOptions, setUpAdapter } from '@routemeter/core/adapter'
import type { Context, MiddlewareHandler } from 'hono'
import { Measurer } from './measurer'
import type { RequestMetrics } from './request-metrics'

/**
 * Every core meter option, plus `meter` (record into an existing meter) and `exclude` (paths not
 * measured); `labels` functions are given Hono's context `c`.
 */
export interface RoutemeterOptions extends AdapterOptions<Context> {}

/** The context variables the middleware sets: `c.var.metrics`. */
export interface RoutemeterEnv {
  Variables: {
    /**
     * Execution timers tied to this request's route template and method: `timer(name)` returns a
     * stopper, `time(name, fn)` times a sync or async call.
     */
    metrics: RequestMetrics
  }
}

/** The Hono middleware; mount it with `app.use(metrics)` before your routes. */
export type RoutemeterMiddleware = MiddlewareHandler<RoutemeterEnv> & {
  /** The meter requests are recorded in; use it for your own metrics. */
  readonly meter: Meter
  /** Flushes everything recorded; also closes the meter unless it was passed in as `meter`. */
  close(): Promise<void>
}

/** Creates the middleware. Invalid options throw a `RoutemeterOptionError` here, at start-up. */
export function routemeter(options: RoutemeterOptions = {}): RoutemeterMiddleware {
  const measurer = new Measurer(setUpAdapter(options))
  // Named for Hono's route listings (`showRoutes`, `matchedRoutes`).
  const routemeterMiddleware: MiddlewareHandler<RoutemeterEnv> = (c, next) =>
    measurer.handle(c, next)
  return Object.assign(routemeterMiddleware, {
    meter: measurer.meter,
    close: (): Promise<void> => measurer.close(),
  })
}
