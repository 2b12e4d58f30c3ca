import type { RouteMetrics } from '@routemeter/core/adapter'
import type { FastifyRequest } from 'fastify'

/*
 * What routemeter keeps per request lives in three fields of the Fastify request, declared up
 * front with `decorateRequest` so Fastify initialises them in its request constructor: every
 * request keeps one shape and nothing is allocated for it. Symbols keep them private.
 */

/** The route handle; `undefined` until routemeter's onRequest ran, `null` when not measured. */
export const kRoute: unique symbol = Symbol('routemeter.route')
/** `performance.now()` when the request started, from `meter.requestStarted()`. */
export const kStartedAt: unique symbol = Symbol('routemeter.startedAt')
/** Where the request is in its life: {@link OPEN} or {@link ENDED}. */
export const kPhase: unique symbol = Symbol('routemeter.phase')

export const OPEN = 0
/** Recorded; nothing may record it again. */
export const ENDED = 1

export interface RequestState {
  [kRoute]: RouteMetrics | null | undefined
  [kStartedAt]: number
  [kPhase]: number
}

export type MeasuredRequest = FastifyRequest & RequestState
