import type { ExecutionTimers } from '@routemeter/core'

/** `c.var.metrics`: execution timers bound to the request's route (as known when called) and method. */
export type RequestMetrics = ExecutionTimers
