export {
  type AdapterOptions,
  type AdapterSetup,
  CLIENT_CLOSED_REQUEST,
  setUpAdapter,
} from './adapter-support'
export {
  type ExecutionTimers,
  NO_EXECUTION_TIMERS,
  RouteMetrics,
} from './aggregation/route-metrics'
export type {
  CustomNaming,
  MetricId,
  RequestSeriesInfo,
  RouteKind,
} from './config/custom-naming'
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
export {
  type MeterOptions,
  parseEnabledFlag,
  type ResolvedOptions,
  resolveOptions,
} from './config/options'
export type { PrometheusOptions, PrometheusRegistry } from './config/prometheus-options'
export {
  MAX_NAME_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  sanitizeName,
  sanitizeSetMember,
  sanitizeTagKey,
  sanitizeTagValue,
  type TagFormat,
} from './config/sanitize'
export {
  createMeter,
  type Meter,
  type MeterStats,
  type PrometheusEndpoint,
  type RequestRecord,
} from './meter'
export { OVERFLOW_ROUTE, statusClassOf, UNMATCHED_ROUTE } from './naming/naming'
export {
  OVERFLOW_SEGMENT,
  ROOT_SEGMENT,
  routeToPathSegments,
  UNMATCHED_SEGMENT,
} from './naming/route-path'
export {
  type PrometheusAggregator,
  type PrometheusAggregatorOptions,
  startPrometheusAggregator,
} from './outputs/prometheus/aggregator'
export { LABEL_ERROR, LABEL_NONE, LABEL_OTHER } from './request/request-labels'
export {
  type Http2Response,
  type RawResponse,
  REQUEST_TIMEOUT,
  ResponseEnds,
} from './request/response-end'
export type { Stopper } from './request/stopper'
