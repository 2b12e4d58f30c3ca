/**
 * `@routemeter/core/adapter`: what a framework adapter is built from — set-up with option
 * checks, the end of each request as Node reports it, per-route recording, and the sanitising
 * rules its route labels go through (its tests predict the wire with them). Not for apps: an app
 * uses `@routemeter/core` or an adapter.
 */
export {
  type AdapterOptions,
  type AdapterSetup,
  type FrameworkLogger,
  setUpAdapter,
} from './adapter-support'
export { NO_EXECUTION_TIMERS, RouteMetrics } from './aggregation/route-metrics'
export { MAX_NAME_LENGTH, MAX_TAG_VALUE_LENGTH, sanitizeTagValue } from './config/sanitize'
export { installTimersProperty, reportMisorderedMount, TIMERS_SLOT } from './mount-order'
export { carriesResponse, type RawResponse, ResponseEnds } from './request/response-end'
