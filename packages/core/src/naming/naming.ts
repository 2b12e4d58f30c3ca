import type { CustomNaming, MetricId, RequestSeriesInfo, RouteKind } from '../config/custom-naming'
import { errorText, type FaultLog } from '../config/fault-log'
import type { NamingStyle, Tags } from '../config/option-types'
import { OTEL_PROCESS_GAUGE_NAMES, PROCESS_GAUGE_NAMES } from './process-gauges'
import { OVERFLOW_SEGMENT, routeToPathSegments, UNMATCHED_SEGMENT } from './route-path'
import type { SeriesVariant } from './series-variant'
import { CLIENT_CLOSED_REQUEST } from './status'

/** Label used for requests no route matched (tag style); path style uses `_unmatched`. */
export const UNMATCHED_ROUTE = 'unmatched'
/** Label used for requests beyond the series cap (tag style); path style uses `_overflow`. */
export const OVERFLOW_ROUTE = 'overflow'

/** Where a user metric comes from: the meter (`meter.timing`) or a request (`metrics.timer`). */
export type UserMetricSource = 'meter' | 'execution'

export interface Namer {
  /**
   * Why a user metric named `name` (sanitised) would land on one of routemeter's own metrics,
   * with a second type or foreign values under its name; `undefined` when it would not.
   */
  reservedBy(name: string, source: UserMetricSource): string | undefined
  /**
   * Absent when the style has no request counter (`otel`: the duration's count is the request
   * count, exact as long as every duration is sampled, which options.ts ensures).
   */
  requestCounter?(series: RequestSeriesInfo): MetricId
  requestTimer(series: RequestSeriesInfo): MetricId
  /** Request body bytes received, per request series (`bodySizes`). */
  requestBodySize(series: RequestSeriesInfo): MetricId
  /** Response body bytes sent, per request series (`bodySizes`). */
  responseBodySize(series: RequestSeriesInfo): MetricId
  executionTimer(
    name: string,
    scope: { route: string; routeKind: RouteKind; method: string },
  ): MetricId
  gauge(name: string): MetricId
  /**
   * Present when in-flight requests are counted per method and scheme (`otel`); otherwise one
   * `http.server.active_requests` gauge (named by {@link gauge}) counts them all. `scheme` is
   * `undefined` where the adapter has no Node response to read it from.
   */
  activeRequests?(method: string | undefined, scheme: string | undefined): MetricId
}

export function statusClassOf(statusCode: number): string {
  return statusCode >= 100 && statusCode <= 599 ? `${Math.floor(statusCode / 100)}xx` : 'unknown'
}

export function requestSeriesInfo(
  route: string,
  routeKind: RouteKind,
  method: string,
  statusCode: number,
  variant: SeriesVariant | undefined,
): RequestSeriesInfo {
  const info: RequestSeriesInfo = {
    route:
      routeKind === 'matched'
        ? route
        : routeKind === 'unmatched'
          ? UNMATCHED_ROUTE
          : OVERFLOW_ROUTE,
    routeKind,
    method,
    statusCode,
    statusClass: statusClassOf(statusCode),
  }
  if (variant === undefined) return info
  return {
    ...info,
    ...(variant.scheme === undefined ? {} : { scheme: variant.scheme }),
    ...(variant.protocolVersion === undefined ? {} : { protocolVersion: variant.protocolVersion }),
    ...(variant.labels === undefined ? {} : { labels: variant.labels }),
  }
}

/**
 * Tag style: fixed names, everything variable in tags. The request metrics always carry all
 * four tag keys (unmatched requests too), as Prometheus' statsd_exporter requires.
 */
const TAG_STYLE_OWN_NAMES = new Map<string, string>([
  ['http.server.requests', 'the request counter'],
  ['http.server.duration', 'the request timer'],
  ['http.server.request_bytes', 'the request body size metric'],
  ['http.server.response_bytes', 'the response body size metric'],
  ['http.server.active_requests', 'the active-requests gauge'],
  ...PROCESS_GAUGE_NAMES.map((name): [string, string] => [name, 'a process-metrics gauge']),
])

const tagNamer = {
  reservedBy: (name) => TAG_STYLE_OWN_NAMES.get(name),
  requestCounter: (s) => ({ name: 'http.server.requests', tags: requestTags(s) }),
  requestTimer: (s) => ({ name: 'http.server.duration', tags: requestTags(s) }),
  requestBodySize: (s) => ({ name: 'http.server.request_bytes', tags: requestTags(s) }),
  responseBodySize: (s) => ({ name: 'http.server.response_bytes', tags: requestTags(s) }),
  executionTimer: (name, scope) => ({ name, tags: { route: scope.route, method: scope.method } }),
  gauge: (name) => ({ name }),
} satisfies Namer

/** The four request tags, then the request labels (their names cannot be one of the four). */
function requestTags(s: RequestSeriesInfo): Tags {
  const tags = {
    route: s.route,
    method: s.method,
    status_code: s.statusCode,
    status_class: s.statusClass,
  }
  return s.labels === undefined ? tags : { ...tags, ...s.labels }
}

/** Path style: everything in the name, `counters.<route>.<METHOD>.<status>`. */
const PATH_STYLE_ROOTS = /^(counters|timers|gauges|request_bytes|response_bytes)(\.|$)/
const STATUS_LIKE = /^\d+$/

const pathNamer: Namer = {
  // Meter metrics are `<prefix>.<name>`: the roots of the request metrics are taken. Execution
  // timers are `timers.<route>.<METHOD>.<name>`: a number there is a request timer's status.
  reservedBy: (name, source) =>
    source === 'meter'
      ? PATH_STYLE_ROOTS.test(name)
        ? `the request metrics under "${name.split('.')[0]}."`
        : undefined
      : STATUS_LIKE.test(name)
        ? `the request timer of status ${name}`
        : undefined,
  requestCounter: (s) => ({
    name: `counters.${pathRoute(s.route, s.routeKind)}.${s.method}.${s.statusCode}`,
  }),
  requestTimer: (s) => ({
    name: `timers.${pathRoute(s.route, s.routeKind)}.${s.method}.${s.statusCode}`,
  }),
  requestBodySize: (s) => ({
    name: `request_bytes.${pathRoute(s.route, s.routeKind)}.${s.method}.${s.statusCode}`,
  }),
  responseBodySize: (s) => ({
    name: `response_bytes.${pathRoute(s.route, s.routeKind)}.${s.method}.${s.statusCode}`,
  }),
  executionTimer: (name, scope) => ({
    name: `timers.${pathRoute(scope.route, scope.routeKind)}.${scope.method}.${name}`,
  }),
  gauge: (name) => ({ name: `gauges.${name}` }),
}

/**
 * OpenTelemetry style: the stable HTTP server semantic conventions, with their dotted attribute
 * keys as tags. Durations go out in milliseconds as StatsD timers (backends convert `ms` to
 * seconds). There is no request counter in the conventions: the duration's count is the count.
 */
const OTEL_REQUEST_DURATION = 'http.server.request.duration'
const ACTIVE_REQUESTS = 'http.server.active_requests'
/**
 * `error.type` of a request whose client left before a response was sent (recorded as 499):
 * a component-specific identifier, as the conventions allow when no status was sent.
 */
export const OTEL_ABORTED_ERROR = 'aborted'
/** The body-size histograms of the semantic conventions (bytes; `bodySizes: true`). */
const OTEL_REQUEST_BODY_SIZE = 'http.server.request.body.size'
const OTEL_RESPONSE_BODY_SIZE = 'http.server.response.body.size'
/** `error.type` when the framework reported no status at all (recorded as status 0). */
const OTEL_UNKNOWN_ERROR = '_OTHER'
/**
 * What the OpenTelemetry SDKs mark the series beyond a cardinality limit with; our overflow
 * bucket carries it instead of an invented `http.route`.
 */
const OTEL_OVERFLOW_TAG = 'otel.metric.overflow'

const OTEL_STYLE_OWN_NAMES = new Map<string, string>([
  [OTEL_REQUEST_DURATION, 'the request duration'],
  [OTEL_REQUEST_BODY_SIZE, 'the request body size'],
  [OTEL_RESPONSE_BODY_SIZE, 'the response body size'],
  [ACTIVE_REQUESTS, 'the active-requests gauge'],
  ...[...OTEL_PROCESS_GAUGE_NAMES.values()].map((name): [string, string] => [
    name,
    'a process-metrics gauge',
  ]),
])

const otelNamer: Namer = {
  reservedBy: (name) => OTEL_STYLE_OWN_NAMES.get(name),
  requestTimer: (s) => ({ name: OTEL_REQUEST_DURATION, tags: otelRequestTags(s) }),
  requestBodySize: (s) => ({ name: OTEL_REQUEST_BODY_SIZE, tags: otelRequestTags(s) }),
  responseBodySize: (s) => ({ name: OTEL_RESPONSE_BODY_SIZE, tags: otelRequestTags(s) }),
  executionTimer: (name, scope) => {
    const tags: Record<string, string> = { 'http.request.method': scope.method }
    if (scope.routeKind === 'matched') tags['http.route'] = scope.route
    else if (scope.routeKind === 'overflow') tags[OTEL_OVERFLOW_TAG] = 'true'
    return { name, tags }
  },
  gauge: (name) => ({ name: OTEL_PROCESS_GAUGE_NAMES.get(name) ?? name }),
  // Requests without a Node response (Hono off Node) are counted without attributes: their
  // method and scheme are not known when they start.
  activeRequests: (method, scheme) => {
    const tags: Record<string, string> = {}
    if (method !== undefined) tags['http.request.method'] = method
    if (scheme !== undefined) tags['url.scheme'] = scheme
    return { name: ACTIVE_REQUESTS, tags }
  },
}

/**
 * The attributes of one request series. Absent rather than invented: `http.route` when no route
 * matched, `http.response.status_code` when none was sent (499, 0), `url.scheme` and
 * `network.protocol.version` where there is no Node request to read them from, `error.type`
 * unless the request failed (5xx: the code as text; 499: `aborted`; 0: `_OTHER`). 4xx are not
 * errors for a server.
 */
function otelRequestTags(s: RequestSeriesInfo): Tags {
  const tags: Record<string, string | number> = { 'http.request.method': s.method }
  const sent = s.statusCode !== 0 && s.statusCode !== CLIENT_CLOSED_REQUEST
  if (sent) tags['http.response.status_code'] = s.statusCode
  if (s.routeKind === 'matched') tags['http.route'] = s.route
  if (s.scheme !== undefined) tags['url.scheme'] = s.scheme
  if (s.protocolVersion !== undefined) tags['network.protocol.version'] = s.protocolVersion
  if (!sent) tags['error.type'] = s.statusCode === 0 ? OTEL_UNKNOWN_ERROR : OTEL_ABORTED_ERROR
  else if (s.statusCode >= 500) tags['error.type'] = String(s.statusCode)
  if (s.routeKind === 'overflow') tags[OTEL_OVERFLOW_TAG] = 'true'
  // Request labels last; their names have no dots, so they never meet an attribute's.
  return s.labels === undefined ? tags : { ...tags, ...s.labels }
}

function pathRoute(route: string, kind: RouteKind): string {
  if (kind === 'unmatched') return UNMATCHED_SEGMENT
  if (kind === 'overflow') return OVERFLOW_SEGMENT
  return routeToPathSegments(route)
}

export function createNamer(naming: NamingStyle | CustomNaming, faults: FaultLog): Namer {
  if (naming === 'tags') return tagNamer
  if (naming === 'path') return pathNamer
  if (naming === 'otel') return otelNamer
  // A user function runs when a series is first seen, inside request handling: if it throws,
  // the series falls back to tag style and the fault is logged, the request is unaffected.
  const guarded =
    <A extends unknown[]>(
      custom: ((...args: A) => MetricId) | undefined,
      fallback: (...args: A) => MetricId,
    ) =>
    (...args: A): MetricId => {
      if (custom === undefined) return fallback(...args)
      try {
        const id = custom(...args)
        if (id && typeof id.name === 'string') return id
        faults.report(
          'naming',
          'custom naming returned no { name }; using tag style for this series',
        )
      } catch (error) {
        faults.report(
          'naming',
          `custom naming threw: ${errorText(error)}; using tag style for this series`,
        )
      }
      return fallback(...args)
    }
  return {
    // The names a custom style gives the request metrics are not known in advance.
    reservedBy: () => undefined,
    requestCounter: guarded(naming.requestCounter.bind(naming), tagNamer.requestCounter),
    requestTimer: guarded(naming.requestTimer.bind(naming), tagNamer.requestTimer),
    requestBodySize: guarded(naming.requestBodySize?.bind(naming), tagNamer.requestBodySize),
    responseBodySize: guarded(naming.responseBodySize?.bind(naming), tagNamer.responseBodySize),
    executionTimer: guarded(naming.executionTimer?.bind(naming), tagNamer.executionTimer),
    gauge: tagNamer.gauge,
  }
}
