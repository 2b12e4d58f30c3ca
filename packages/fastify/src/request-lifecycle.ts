import {
  CLIENT_CLOSED_REQUEST,
  type ExecutionTimers,
  type Meter,
  NO_EXECUTION_TIMERS,
  type RouteMetrics,
} from '@routemeter/core'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import {
  ENDED,
  kPhase,
  kRequest,
  kRoute,
  kStartedAt,
  type MeasuredRequest,
  type TrackedResponse,
} from './request-state'
import type { RouteBindings } from './route-bindings'

/** The raw response as the listeners see it (`http.ServerResponse`, HTTP/2 or light-my-request). */
type RawResponse = TrackedResponse & { readonly statusCode: number }

/**
 * Turns Fastify's request lifecycle into the meter's "started" and "ended" calls, so that every
 * request is recorded exactly once with the status the client actually got.
 *
 * Observed on Fastify 5: a normal response, a thrown or rejected handler, `reply.callNotFound`
 * and `handlerTimeout` (503) all finish the response; a client that leaves, or a socket closed
 * by `connectionTimeout`, never does, and never reaches onResponse (onRequestAbort does not even
 * run for a POST whose body was read). So, as jshttp's on-finished does:
 *
 * - onRequest starts the request and listens to the raw response's `finish` and `close`;
 * - `finish` (the response left in full) ends it with the status sent;
 * - `close` without `finish` ends it as 499: the connection closed before a response went out,
 *   whoever closed it. A handler answering after that still sets `statusCode`, `headersSent`
 *   and `writableEnded` though nothing is written, so those are not read;
 * - the phase field makes anything after the first end a no-op (`close` follows every `finish`).
 *
 * The listeners are the raw response's, not Fastify's onResponse, because onResponse hooks can be
 * async and the `close` of a finished response may then come first.
 *
 * Every function here is created once per app. Per request, routemeter writes the three fields
 * Fastify already declared (see `request-state.ts`), tags the raw response with its request and
 * adds the two shared listeners: no closure, no object of its own.
 */
export class RequestLifecycle {
  /** The listeners every response shares; `this` is the response. */
  private readonly finishListener: (this: RawResponse) => void
  private readonly closeListener: (this: RawResponse) => void

  constructor(
    private readonly meter: Meter,
    private readonly bindings: RouteBindings,
    /** `undefined` when there is no exclude list, to skip the URL check per request. */
    private readonly isExcluded: ((url: string) => boolean) | undefined,
  ) {
    const lifecycle = this
    this.finishListener = function onResponseFinish(this: RawResponse): void {
      const request = this[kRequest]
      if (request !== undefined) lifecycle.end(request, this.statusCode)
    }
    this.closeListener = function onResponseClose(this: RawResponse): void {
      const request = this[kRequest]
      if (request !== undefined) lifecycle.end(request, CLIENT_CLOSED_REQUEST)
    }
  }

  readonly onRequest = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    const measured = request as MeasuredRequest
    measured[kRoute] = this.routeFor(request)
    measured[kStartedAt] = this.meter.requestStarted()
    const response = reply.raw as typeof reply.raw & TrackedResponse
    response[kRequest] = measured
    response.on('finish', this.finishListener)
    response.on('close', this.closeListener)
    done()
  }

  /** Only for requests routemeter's onRequest never saw; the others end on `finish`. */
  readonly onResponse = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    const measured = request as MeasuredRequest
    if (measured[kRoute] === undefined) this.recordUnstarted(measured, reply)
    done()
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

  private end(request: MeasuredRequest, statusCode: number): void {
    if (request[kPhase] === ENDED) return
    request[kPhase] = ENDED
    this.meter.requestEnded(
      request[kRoute] ?? undefined,
      request.method,
      statusCode,
      request[kStartedAt],
    )
  }

  /**
   * A hook that ran before routemeter's onRequest answered the request (a rate limiter, CORS
   * preflight, auth registered first), so it was never started. It is still counted: Fastify
   * timed it from the very start of the request because an onResponse hook exists.
   */
  private recordUnstarted(request: MeasuredRequest, reply: FastifyReply): void {
    if (request[kPhase] === ENDED) return
    request[kPhase] = ENDED
    this.routeFor(request)?.record(request.method, reply.statusCode, reply.elapsedTime)
  }
}
