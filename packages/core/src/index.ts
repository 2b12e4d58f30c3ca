export {
  type AdapterOptions,
  type AdapterSetup,
  CLIENT_CLOSED_REQUEST,
  type FrameworkLogger,
  setUpAdapter,
} from './adapter-support'
export { RoutemeterOptionError } from './errors'
export { OTHER_METHOD, STANDARD_METHODS } from './http-method'
export {
  createMeter,
  type Meter,
  type MeterStats,
  type RequestRecord,
} from './meter'
export { installTimersProperty, reportMisorderedMount, TIMERS_SLOT } from './mount-order'
export {
  type CustomNaming,
  type MetricId,
  OVERFLOW_ROUTE,
  type RequestSeriesInfo,
  type RouteKind,
  statusClassOf,
  UNMATCHED_ROUTE,
} from './naming'
export {
  type LabelFunction,
  type MeterLogger,
  type MeterOptions,
  type NamingStyle,
  type Protocol,
  parseEnabledFlag,
  type RequestLabels,
  type ResolvedOptions,
  resolveOptions,
  type Tags,
  type TimerType,
} from './options'
export { LABEL_ERROR, LABEL_NONE, LABEL_OTHER } from './request-labels'
export {
  type Http2Response,
  type RawResponse,
  REQUEST_TIMEOUT,
  ResponseEnds,
} from './response-end'
export { type ExecutionTimers, NO_EXECUTION_TIMERS, RouteMetrics } from './route-metrics'
export {
  OVERFLOW_SEGMENT,
  ROOT_SEGMENT,
  routeToPathSegments,
  UNMATCHED_SEGMENT,
} from './route-path'
export {
  MAX_NAME_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  sanitizeName,
  sanitizeSetMember,
  sanitizeTagKey,
  sanitizeTagValue,
  type TagFormat,
} from './sanitize'
export type { Stopper } from './stopper'
