/** The shape of the `naming` option: what a user implements to name the series. */
import type { Tags } from './option-types'

export type RouteKind = 'matched' | 'unmatched' | 'overflow'

/** What identifies one request series: computed once when the series is first seen. */
export interface RequestSeriesInfo {
  /** The route template (`/users/:id`), or `unmatched` / `overflow`. */
  readonly route: string
  readonly routeKind: RouteKind
  /** Upper-case standard method, or `_OTHER`. */
  readonly method: string
  /** Integer status code; `0` when the framework reported none. */
  readonly statusCode: number
  /** `1xx` … `5xx`, or `unknown`. */
  readonly statusClass: string
  /** `http` / `https`; set only when the naming style uses it (`otel`). */
  readonly scheme?: string
  /** `1.0`, `1.1`, `2`; set only when the naming style uses it (`otel`). */
  readonly protocolVersion?: string
  /** The request's label values by label name; set only when `labels` are configured. */
  readonly labels?: Readonly<Record<string, string>>
}

/** A metric as the namer wants it; the prefix is added and everything is sanitised later. */
export interface MetricId {
  readonly name: string
  readonly tags?: Tags
}

/** User-supplied naming; called once per series, never per request. */
export interface CustomNaming {
  requestCounter(series: RequestSeriesInfo): MetricId
  requestTimer(series: RequestSeriesInfo): MetricId
  /** The request body size metric (`bodySizes`); tag style's when absent. */
  requestBodySize?(series: RequestSeriesInfo): MetricId
  /** The response body size metric (`bodySizes`); tag style's when absent. */
  responseBodySize?(series: RequestSeriesInfo): MetricId
  executionTimer?(
    name: string,
    scope: { route: string; routeKind: RouteKind; method: string },
  ): MetricId
}
