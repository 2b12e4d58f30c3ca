import type { ExecutionTimers, Meter } from '@routemeter/core'
import type { RouteMetricsSetting } from './route-config'

/*
 * The public surface, typed by augmenting Fastify. Narrowly: one optional `metrics` key is added
 * to route config, and nothing else about route config changes, so other plugins' config keys
 * keep exactly the types they declare.
 */
declare module 'fastify' {
  interface FastifyInstance {
    /** The routemeter meter: increment, gauge, timing, set, time, timer, flush, stats. */
    metrics: Meter
  }

  interface FastifyRequest {
    /** Execution timers tagged with this request's route and method (or under its path). */
    metrics: ExecutionTimers
  }

  interface FastifyContextConfig {
    /**
     * routemeter for this route: `false` leaves it unmeasured, `{ route: 'label' }` records it
     * under a label of your choosing instead of its template. Default: measured as its template.
     */
    metrics?: RouteMetricsSetting
  }
}
