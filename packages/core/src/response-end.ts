import { type IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { CLIENT_CLOSED_REQUEST } from './status'

/** Node's (and Fastify's) answer to a request whose body did not arrive within `requestTimeout`. */
export const REQUEST_TIMEOUT = 408

/**
 * The raw response as Node's servers hand it over: `http.ServerResponse` (also light-my-request's
 * and Express' subclasses) or the HTTP/2 compatibility layer's `Http2ServerResponse`. Only what
 * is read here is declared, so core does not load `node:http2` (30 ms at start-up) to type it;
 * anything not an `http.ServerResponse` is taken for the latter.
 */
export type RawResponse = ServerResponse | Http2Response

/** The part of `http2.Http2ServerResponse` read here. */
export interface Http2Response {
  readonly stream: Http2StreamState
  readonly statusCode: number
  on(event: 'finish' | 'close', listener: () => void): unknown
}

interface Http2StreamState {
  /** `NGHTTP2_NO_ERROR` (0) when the stream closed normally; set once it has closed. */
  readonly rstCode: number | undefined
  /** The head as sent, with `:status`; `undefined` until it is. */
  readonly sentHeaders: Readonly<Record<string, unknown>> | undefined
}

/** What is read from an `http.ServerResponse` beyond its public type. */
interface Http1Response extends ServerResponse {
  /** The head exactly as written (`HTTP/1.1 200 OK\r\n…`); Node has kept it since 0.x. */
  readonly _header?: unknown
}

const NGHTTP2_NO_ERROR = 0

/**
 * Sees every request's end exactly once, from the raw request and response alone, for every
 * adapter, and tells the status the client actually got:
 *
 * - **Finished** (`finish`: the response was handed to the OS in full): the status of the head
 *   as written. A handler that sets another status after the head went out (`res.status(404)`
 *   in a later Express middleware, `reply.code(500)` after `reply.send()`) changes
 *   `statusCode`, not what was sent.
 * - **Closed before finishing** (the client left, or the server destroyed the socket): 499 —
 *   or 408 when the socket was closed by Node's `requestTimeout` (a stalled upload) and the
 *   408 Node or Fastify wrote there was the answer to this request (its own head was not sent).
 * - **HTTP/2**: the compatibility layer emits `finish` and `close` for a cancelled stream too
 *   (`RST_STREAM`, or the session gone); only a stream that closed with `NO_ERROR` delivered
 *   its response, anything else is 499.
 * - **Pipelined HTTP/1.1 requests** queued behind a slower one: their responses have no socket
 *   yet, and when the connection dies Node 20 neither finishes nor closes them (newer releases
 *   destroy them, which the `close` listener sees). They are found through the socket's own
 *   `close` and recorded as 499.
 *
 * `finish` is listened to, not only `close` with `writableFinished`: light-my-request (Fastify's
 * `inject`) emits `finish` but its socket never drains, so `writableFinished` stays false.
 *
 * Two listeners per response, shared by all (`this` is the response); the subject is kept on
 * the response under this instance's own symbol, so two instances never mix their records. The
 * socket listener is added only to connections that queue a response.
 */
export class ResponseEnds<Subject extends object> {
  /** Per instance, so that two adapters watching one response each get their own end. */
  private readonly key: symbol = Symbol('routemeter.subject')
  /** Queued HTTP/1.1 responses not ended yet; empty unless a client pipelines. */
  private readonly queued = new Set<ServerResponse>()
  /** Connections that carry {@link socketCloseListener} already. */
  private readonly watchedSockets = new WeakSet<Socket>()
  private readonly finishListener: (this: RawResponse) => void
  private readonly closeListener: (this: RawResponse) => void
  private readonly socketCloseListener: (this: Socket) => void

  constructor(
    /** Called once per watched response, with the status to record. */
    private readonly ended: (subject: Subject, status: number, res: RawResponse) => void,
  ) {
    const ends = this
    // The subject is taken before the status is worked out: `close` follows every `finish`,
    // and must cost nothing then.
    this.finishListener = function onResponseFinish(this: RawResponse): void {
      const subject = ends.take(this)
      if (subject === undefined) return
      ends.ended(
        subject,
        this instanceof ServerResponse ? sentStatus(this) : http2Status(this as Http2Response),
        this,
      )
    }
    this.closeListener = function onResponseClose(this: RawResponse): void {
      // After `finish` this is a no-op; before it, the response never went out in full.
      const subject = ends.take(this)
      if (subject === undefined) return
      ends.ended(
        subject,
        this instanceof ServerResponse
          ? unfinishedStatus(this)
          : http2Status(this as Http2Response),
        this,
      )
    }
    this.socketCloseListener = function onQueuedSocketClose(this: Socket): void {
      ends.endQueuedOn(this)
    }
  }

  /** Watches `res` until it ends; `subject` is what `ended` gets back. Call once per response. */
  watch(res: RawResponse, subject: Subject): void {
    ;(res as unknown as Record<symbol, Subject | undefined>)[this.key] = subject
    res.on('finish', this.finishListener)
    res.on('close', this.closeListener)
    // Only an HTTP/1.1 response waiting behind another has no socket (HTTP/2 always has one).
    if ((res as ServerResponse).socket === null) this.queue(res as ServerResponse)
  }

  private queue(res: ServerResponse): void {
    const socket = (res.req as IncomingMessage | undefined)?.socket
    if (socket === undefined || socket === null) return
    this.queued.add(res)
    // Once per pipelining connection; a WeakSet, not a marker property on the socket.
    if (!this.watchedSockets.has(socket)) {
      this.watchedSockets.add(socket)
      // Ours must not count against the app's listener limit: Express' on-finished already adds
      // one `close` listener per queued response, and a deep pipeline nears the default 10.
      const limit = socket.getMaxListeners()
      if (limit !== 0 && limit !== Number.POSITIVE_INFINITY) socket.setMaxListeners(limit + 1)
      socket.on('close', this.socketCloseListener)
    }
  }

  private endQueuedOn(socket: Socket): void {
    for (const res of this.queued) {
      if (res.req?.socket !== socket) continue
      const subject = this.take(res)
      if (subject !== undefined) this.ended(subject, CLIENT_CLOSED_REQUEST, res)
    }
  }

  /** The response's subject, once: later calls get `undefined`. */
  private take(res: RawResponse): Subject | undefined {
    const slot = res as unknown as Record<symbol, Subject | undefined>
    const subject = slot[this.key]
    if (subject === undefined) return undefined
    slot[this.key] = undefined
    if (this.queued.size !== 0) this.queued.delete(res as ServerResponse)
    return subject
  }
}

/** HTTP/2: the status sent if the stream closed normally, else 499. */
function http2Status(res: Http2Response): number {
  const stream = res.stream
  if (stream.rstCode !== NGHTTP2_NO_ERROR) return CLIENT_CLOSED_REQUEST
  const sent = stream.sentHeaders?.[':status']
  return typeof sent === 'number' ? sent : res.statusCode
}

/** The status in the head as written: `HTTP/1.1 200 OK` → 200; `statusCode` if unreadable. */
function sentStatus(res: ServerResponse): number {
  // Node's writeHead gives the status line the standard phrase of its code unless told another
  // one. While `statusMessage` is still that phrase of `statusCode`, the code is the one sent,
  // and the head need not be read: it is a rope string, and reading it flattens (copies) it,
  // a few hundred ns per request. Otherwise (a code set after the head went out, or a custom
  // phrase), the head says.
  const code = res.statusCode
  if (res.statusMessage === STATUS_CODES[code]) return code
  const head = (res as Http1Response)._header
  if (typeof head === 'string' && head.length > 12) {
    const status =
      (head.charCodeAt(9) - 48) * 100 + (head.charCodeAt(10) - 48) * 10 + head.charCodeAt(11) - 48
    if (status >= 100 && status <= 999 && head.charCodeAt(12) === 32) return status
  }
  return res.statusCode
}

/** Closed before `finish`: 408 when Node's `requestTimeout` answered it, else 499. */
function unfinishedStatus(res: ServerResponse): number {
  const socket = res.socket
  if (socket !== null && !res.headersSent) {
    const reason = (socket as Socket & { readonly errored?: { code?: unknown } | null }).errored
    if (reason?.code === 'ERR_HTTP_REQUEST_TIMEOUT') return REQUEST_TIMEOUT
  }
  return CLIENT_CLOSED_REQUEST
}
