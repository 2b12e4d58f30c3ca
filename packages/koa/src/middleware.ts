import type { Meter } from '@routemeter/core'
import { type AdapterOptions, setUpAdapter } from '@routemeter/core/adapter'
import type { Context, DefaultContext, DefaultState, Middleware } from 'koa'
import { Measurer } from './measurer'

/**
 * Every core meter option, plus `meter` (record into an existing meter) and `exclude` (paths not
 * measured); `labels` functions are given Koa's `ctx`.
 */
export interface RoutemeterOptions extends AdapterOptions<Context> {}

/** The Koa middleware; mount it with `app.use()` before your routers. */
export type RoutemeterMiddleware = Middleware<DefaultState, DefaultContext> & {
  /** The meter requests are recorded in; use it for your own metrics. */
  readonly meter: Meter
  /** Flushes everything recorded; also closes the meter unless it was passed in as `meter`. */
  close(): Promise<void>
}

/** Creates the middleware. Invalid options throw a `RoutemeterOptionError` here, at start-up. */
export function routemeter(options: RoutemeterOptions = {}): RoutemeterMiddleware {
  const measurer = new Measurer(setUpAdapter(options))
  return Object.assign(measurer.middleware as unknown as Middleware<DefaultState, DefaultContext>, {
    meter: measurer.meter,
    close: (): Promise<void> => measurer.close(),
  })
}
