import type { IncomingHttpHeaders, Server } from 'node:http'
import type { Readable } from 'node:stream'
import type { ExecutionTimers, Meter } from '@routemeter/core'
import type { AdapterOptions } from '@routemeter/core/adapter'
import type { FaultWarnings } from '@routemeter/test-support'

/**
 * What every adapter's factory is given and gives back. The suite describes a small app in
 * framework-neutral terms (routes with plain handlers); the factory builds it with the real
 * framework and routemeter's real adapter, listens on a loopback port, and hands back the meter
 * and the framework's own shutdown. A new adapter (Koa, Hono…) is one object of this shape.
 */

/** A request as the suite's handlers see it, whatever the framework. */
export interface NeutralRequest {
  readonly method: string
  /** The path without the query string. */
  readonly path: string
  /** Route parameters, decoded, as the framework gives them. */
  readonly params: Readonly<Record<string, string>>
  readonly headers: IncomingHttpHeaders
  /** The parsed JSON body, when one was sent. */
  readonly body: unknown
  /** The framework's per-request timers (`request.metrics`, `req.metrics`…); absent without routemeter. */
  readonly metrics: ExecutionTimers | undefined
  /** The meter requests are recorded in (`app.metrics`, `middleware.meter`…); absent without routemeter. */
  readonly meter: Meter | undefined
}

/**
 * What a handler answers: a JSON body, a text body, a streamed body (`text/plain`, sent as it
 * comes), or no body; status 200 unless given.
 */
export interface Reply {
  readonly status?: number
  readonly json?: unknown
  readonly text?: string
  readonly stream?: Readable
}

export type Handler = (request: NeutralRequest) => Reply | Promise<Reply>

export interface RouteSpec {
  /** One method or several (custom methods such as `PROPFIND` included). */
  readonly method: string | readonly string[]
  /** A route template in the common `:param` syntax, e.g. `/users/:id`. */
  readonly path: string
  /**
   * Mounted under this prefix through the framework's own nesting (a router mounted at a path, a
   * plugin with a prefix…); the route's template is then `prefix + path`.
   */
  readonly prefix?: string
  /** The route's metrics label instead of its template; only where `supports.routeLabel`. */
  readonly label?: string
  /** `false`: the route opts out of metrics (Fastify `config.metrics: false`); only where `supports.routeOptOut`. */
  readonly measured?: boolean
  readonly handler: Handler
}

/** An error a handler throws to be answered with `status` (by {@link AppSpec.onError} or the default). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export interface AppSpec {
  readonly routes: readonly RouteSpec[]
  /**
   * The app's answer to errors thrown by handlers (the app's error handler or error middleware).
   * Default: `status` of an {@link HttpError}, else 500, with `{ "error": message }`.
   */
  readonly onError?: (error: unknown) => Reply
  /** The app's own 404 handler; the framework's default 404 when absent. */
  readonly notFound?: Handler
  /**
   * Limits raised for 1 MB paths, header values and JSON bodies (the injection scenarios):
   * `maxHeaderSize`, parameter length and body size of 16 MB.
   */
  readonly large?: boolean
  /** Adds the adapter's {@link AdapterFactory.hostileRoutes} to the app. */
  readonly hostileRoutes?: boolean
  /**
   * {@link StartedApp.shutdown} is the framework's forced shutdown, which cuts off the requests
   * in flight: Fastify's `forceCloseConnections: true` then `app.close()`; on a plain Node server
   * `server.close(() => metrics.close())` then `server.closeAllConnections()`.
   */
  readonly forceCloseConnections?: boolean
}

/** How the factory builds the app besides the spec. */
export interface StartOptions {
  /**
   * Where the framework's own logger (if it has one) writes; routemeter logs faults there when
   * no `logger` option is given. Adapters of frameworks without a logger pass it as `logger`.
   */
  readonly appLog?: FaultWarnings
  /** Called with the HTTP server as soon as it exists, before listening (startup-failure checks). */
  readonly onServer?: (server: Server) => void
}

export interface StartedApp {
  /** Listening on 127.0.0.1. */
  readonly port: number
  readonly server: Server
  /** The meter requests are recorded in; `undefined` when started without routemeter. */
  readonly meter: Meter | undefined
  /**
   * The framework's graceful shutdown as the README shows it: stop accepting, let requests in
   * flight finish, flush and close the metrics (the forced one with
   * {@link AppSpec.forceCloseConnections}). Safe to call again.
   */
  shutdown(): Promise<void>
  /** Flushes and closes the metrics only (`app.metrics.close()`, `middleware.close()`…); the app serves on. */
  closeMetrics(): Promise<void>
  /** Test teardown: drops every connection and closes everything, whatever state it is in. */
  dispose(): Promise<void>
}

/** A feature is supported, or not, with the reason the suite prints beside the skipped test. */
export type Support = true | { readonly unsupported: string }

export interface Supports {
  /** A per-route label replacing the template (Fastify `config.metrics.route`). */
  readonly routeLabel: Support
  /** A route that opts out of metrics in its own declaration ({@link RouteSpec.measured}). */
  readonly routeOptOut: Support
  /**
   * The adapter hands whatever it is given as options to core, which names bad values itself:
   * `null`, a string, a numeric `prefix`.
   */
  readonly rawOptions: Support
}

/** The routes an adapter adds for {@link AppSpec.hostileRoutes}: paths built from {@link HOSTILE}. */
export interface HostileRoutes {
  /** Paths to request (each answers 200). */
  readonly requests: readonly string[]
  /** The route labels the adapter must record for them, before sanitising. */
  readonly labels: readonly string[]
}

export interface AdapterFactory {
  /** Shown in every test name: `Fastify`, `Express 4`, `Express 5`… */
  readonly name: string
  readonly supports: Supports
  /**
   * Request totals of the load scenarios relative to the suite's (1 = as written). Frameworks
   * that serve fewer requests a second run a share of them, so CI time stays even.
   */
  readonly loadScale: number
  readonly hostileRoutes: HostileRoutes
  /**
   * Reads request header `name` from what `labels` functions are given — the framework's own
   * request object (`FastifyRequest`, Express `req`, Koa `ctx`, Hono `c`) — through the
   * framework's own API, so a label suite proves each adapter hands over its own object.
   */
  readHeader(request: unknown, name: string): string | undefined
  /**
   * Builds and starts the app. `options` are routemeter's (`undefined`: the same app without
   * routemeter, the control). Invalid options reject, with nothing left listening.
   */
  start(spec: AppSpec, options: AdapterOptions | undefined, how?: StartOptions): Promise<StartedApp>
}
