/**
 * `@routemeter/core`: what a user of routemeter writes against — the meter, its options, the
 * start-up error, the types custom naming is written with, and the constants that appear on the
 * wire. What adapters need is in `@routemeter/core/adapter`.
 */
export type { ExecutionTimers } from './aggregation/route-metrics'
export type { CustomNaming, MetricId, RequestSeriesInfo, RouteKind } from './config/custom-naming'
export { RoutemeterOptionError } from './config/errors'
export { OTHER_METHOD, STANDARD_METHODS } from './config/http-method'
export type {
  LabelFunction,
  MeterLogger,
  NamingStyle,
  Protocol,
  RequestLabels,
  Tags,
  TimerType,
} from './config/option-types'
export type { MeterOptions } from './config/options'
export type { PrometheusOptions, PrometheusRegistry } from './config/prometheus-options'
export type { TagFormat } from './config/sanitize'
export {
  createMeter,
  type Meter,
  type MeterStats,
  type PrometheusEndpoint,
  type RequestRecord,
  type ScrapeResponse,
} from './meter'
export { OVERFLOW_ROUTE, UNMATCHED_ROUTE } from './naming/naming'
export {
  OVERFLOW_SEGMENT,
  ROOT_SEGMENT,
  routeToPathSegments,
  UNMATCHED_SEGMENT,
} from './naming/route-path'
export { CLIENT_CLOSED_REQUEST } from './naming/status'
export {
  type PrometheusAggregator,
  type PrometheusAggregatorOptions,
  startPrometheusAggregator,
} from './outputs/prometheus/aggregator'
export { LABEL_ERROR, LABEL_NONE, LABEL_OTHER } from './request/request-labels'
export type { Stopper } from './request/stopper'
