import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Meter } from '@routemeter/core'
import { type AdapterOptions, setUpAdapter } from '@routemeter/core/adapter'
import type { Request } from 'express'
import { Measurer } from './measurer'

/**
 * Every core meter option, plus `meter` (record into an existing meter) and `exclude` (paths not
 * measured); `labels` functions are given Express' `req`.
 */
export interface RoutemeterOptions extends AdapterOptions<Request> {}

/** The Express middleware; mount it with `app.use()` before your routes. */
export interface RoutemeterMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void
  /** The meter requests are recorded in; use it for your own metrics. */
  readonly meter: Meter
  /** Flushes everything recorded; also closes the meter unless it was passed in as `meter`. */
  close(): Promise<void>
}

/** Creates the middleware. Invalid options throw a `RoutemeterOptionError` here, at start-up. */
export function routemeter(options: RoutemeterOptions = {}): RoutemeterMiddleware {
  const measurer = new Measurer(setUpAdapter(options))
  return Object.assign(measurer.middleware, {
    meter: measurer.meter,
    close: (): Promise<void> => measurer.close(),
  })
}
