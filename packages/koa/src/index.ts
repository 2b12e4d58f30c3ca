import type { RequestMetrics } from './request-metrics'

export { CLIENT_CLOSED_REQUEST, type Meter, RoutemeterOptionError } from '@routemeter/core'
export { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from './middleware'
export type { RequestMetrics } from './request-metrics'

// `ctx.metrics` on every Koa context (@types/koa for Koa 2 and 3), @koa/router's included: they
// all extend `ExtendableContext`.
declare module 'koa' {
  interface ExtendableContext {
    /**
     * Execution timers tied to this request's route template and method (set by the routemeter
     * middleware): `timer(name)` returns a stopper, `time(name, fn)` times a sync or async call.
     */
    metrics: RequestMetrics
  }
}
