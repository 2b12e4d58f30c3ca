import type { RequestMetrics } from './request-metrics'

export { CLIENT_CLOSED_REQUEST, type Meter, RoutemeterOptionError } from '@routemeter/core'
export { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from './middleware'
export type { RequestMetrics } from './request-metrics'

// `req.metrics` on Express' Request, for @types/express 4 and 5 alike: both merge the global
// `Express.Request` into their own Request type.
declare global {
  namespace Express {
    interface Request {
      /**
       * Execution timers tied to this request's route template and method (set by the routemeter
       * middleware): `timer(name)` returns a stopper, `time(name, fn)` times a sync or async call.
       */
      metrics: RequestMetrics
    }
  }
}
