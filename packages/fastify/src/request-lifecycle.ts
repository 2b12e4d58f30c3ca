import type { ExecutionTimers, Meter } from '@routemeter/core'
import {
  NO_EXECUTION_TIMERS,
  type RawResponse,
  ResponseEnds,
  type RouteMetrics,
} from '@routemeter/core/adapter'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ENDED, kPhase, kRoute, kStartedAt, type MeasuredRequest } from './request-state'
import type { RouteBindings } from './route-bindings'

/**
 * Turns Fastify's request lifecycle into the meter's "started" and "ended" calls, so that every
 * request is recorded exactly once with the status the client actually got.
 *
 * Observed on Fastify 5: a normal response, a thrown or rejected handler, `reply.callNotFound`
 * and `handlerTimeout` (503) all finish the response; a client that leaves, or a socket closed
 * by `connectionTimeout`, never does, and never reaches onResponse (onRequestAbort does not even
 * run for a POST whose body was read). So onRequest starts the request and hands the raw
 * response to core's `ResponseEnds`, which sees its end from Node's own events — finished (with
 * the status of the head as sent), closed first (499, or 408 for Node's `requestTimeout`), an
 * HTTP/2 stream cancelled, a pipelined request whose connection died — exactly once. Fastify's
 * onResponse is not used for that: onResponse hooks can be async, it never runs for aborted
 * requests, and `reply.code()` after the reply was sent changes `statusCode` but not the head.
 *
 * Every function here is created once per app. Per request, routemeter writes the three fields
 * Fastify already declared (see `request-state.ts`) and core tags the raw response and adds one
 * shared listener: no closure, no object of its own.
 */
export class RequestLifecycle {
  private readonly ends: ResponseEnds<MeasuredRequest>

  constructor(
    private readonly meter: Meter,
    private readonly bindings: RouteBindings,
    /** `undefined` when there is no exclude list, to skip the URL check per request. */
    private readonly isExcluded: ((url: string) => boolean) | undefined,
  ) {
    this.ends = new ResponseEnds((request, status, res) => this.end(request, status, res))
  }

  readonly onRequest = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    const measured = request as MeasuredRequest
    const route = this.routeFor(request)
    measured[kRoute] = route
    // Not measured (excluded, `metrics: false`, the Prometheus scrape): not in flight either.
    if (route !== null) {
      const raw = reply.raw as RawResponse
      measured[kStartedAt] = this.meter.requestStarted(raw)
      this.ends.watch(raw, measured)
    }
    done()
  }

  /**
   * Starts the requests routemeter's onRequest never saw: a hook registered before it (a rate
   * limiter, CORS, an auth check) answered first. onSend, not onResponse: an onResponse hook
   * makes Fastify add a closure, two listeners and two clock reads to every request.
   */
  readonly onSend = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (error: null, payload: unknown) => void,
  ): void => {
    const measured = request as MeasuredRequest
    if (measured[kRoute] === undefined) this.startLate(measured, reply)
    done(null, payload)
  }

  /** `request.metrics`: execution timers of the request's route and method (cached in core). */
  timersOf(request: MeasuredRequest): ExecutionTimers {
    // `undefined`: asked from a hook that runs before routemeter's onRequest.
    const route = request[kRoute] === undefined ? this.routeFor(request) : request[kRoute]
    return route === null ? NO_EXECUTION_TIMERS : route.scope(request.method)
  }

  private routeFor(request: FastifyRequest): RouteMetrics | null {
    const route = this.bindings.routeOf(request)
    if (route !== null && this.isExcluded?.(request.url) === true) return null
    return route
  }

  private end(request: MeasuredRequest, statusCode: number, res: RawResponse): void {
    if (request[kPhase] === ENDED) return
    request[kPhase] = ENDED
    this.meter.requestEnded(
      request[kRoute] ?? undefined,
      request.method,
      statusCode,
      request[kStartedAt],
      res,
      request,
    )
  }

  /**
   * A request answered before routemeter's onRequest ran ends like any other, through `ends`.
   * Its duration starts where Fastify started timing it (when it times requests: a logger, an
   * onResponse hook), else here, as its reply goes out.
   */
  private startLate(request: MeasuredRequest, reply: FastifyReply): void {
    const route = this.routeFor(request)
    request[kRoute] = route
    if (route === null) return
    const raw = reply.raw as RawResponse
    request[kStartedAt] = this.meter.requestStarted(raw) - reply.elapsedTime
    this.ends.watch(raw, request)
  }
}
