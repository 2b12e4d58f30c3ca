import { subscribe } from 'node:diagnostics_channel'
import { ServerResponse, STATUS_CODES } from 'node:http'
import { Socket } from 'node:net'
import { CLIENT_CLOSED_REQUEST } from '../naming/status'

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

/** What Node's HTTP/1.1 server publishes when one of its responses has finished. */
interface ServerResponseFinish {
  readonly response: ServerResponse
  readonly socket: Socket
}

/**
 * Node's HTTP server publishes every finished response here (Node ≥ 18.7): one subscriber for
 * the process instead of a `finish` listener added to every response.
 */
const SERVER_RESPONSE_FINISH = 'http.server.response.finish'

interface ServerResponseWatcher {
  finishedOnServer(res: ServerResponse, socket: Socket): void
  /** Responses it watches through the channel that have not ended. */
  readonly onServer: number
  /** Whether it is in {@link watchingServerResponses}. */
  listed: boolean
}

/**
 * The instances that have watched responses on Node's own HTTP/1.1 server (usually one). An
 * instance stays listed while idle: taking it off each time its last response ended, and back
 * on with the next, was a `Set` delete and add on most requests. Idle ones are dropped when
 * another instance joins, so apps created and closed one after another (a test suite) are not
 * held.
 */
const watchingServerResponses = new Set<ServerResponseWatcher>()
let subscribed = false

function listWatcher(joining: ServerResponseWatcher): void {
  for (const listed of watchingServerResponses) {
    if (listed.onServer === 0) {
      listed.listed = false
      watchingServerResponses.delete(listed)
    }
  }
  joining.listed = true
  watchingServerResponses.add(joining)
}

function onServerResponseFinish(message: unknown): void {
  const { response, socket } = message as ServerResponseFinish
  for (const ends of watchingServerResponses) ends.finishedOnServer(response, socket)
}

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
 *   destroy them). They are found through the socket's own `close` and recorded as 499.
 *
 * On Node's own HTTP/1.1 server — almost every request — nothing is added to the response at
 * all: the end comes from the server's `http.server.response.finish` diagnostics channel, and an
 * abort from the connection's `close` (one listener per connection, not per request: a response
 * of Node's server can only end unfinished when its socket closes). The response in flight and
 * its subject are kept on the connection, which carries one response at a time. Node's servers
 * give no two requests or responses one hidden class, so a property added to a response is a
 * fresh map (about a microsecond, and garbage) where a store on the connection, whose shape
 * settles after its first request, costs a few nanoseconds. Anywhere else — HTTP/2, and
 * light-my-request (Fastify's `inject`), whose mock socket never reaches that server — two
 * shared listeners go on the response: `finish`, and `close` before it. `finish` is listened
 * to, not only `close` with `writableFinished`: light-my-request emits `finish` but its socket
 * never drains, so `writableFinished` stays false.
 *
 * Every key is this instance's own symbol, so two instances never mix their records.
 */
export class ResponseEnds<Subject extends object> implements ServerResponseWatcher {
  /** On a connection of Node's HTTP/1.1 server: its response in flight this instance watches… */
  private readonly socketKey: symbol = Symbol('routemeter.response')
  /** …and that response's subject. */
  private readonly subjectKey: symbol = Symbol('routemeter.subject')
  /** On any other response (ended by its own listeners): its subject. */
  private readonly listenedKey: symbol = Symbol('routemeter.listened')
  /** Queued HTTP/1.1 responses not ended yet, and their subjects; empty unless a client pipelines. */
  private readonly queued = new Map<ServerResponse, Subject>()
  /** Responses watched through the channel and not ended yet. */
  onServer = 0
  listed = false
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
      const subject = ends.takeListened(this)
      if (subject === undefined) return
      ends.ended(
        subject,
        this instanceof ServerResponse ? sentStatus(this) : http2Status(this as Http2Response),
        this,
      )
    }
    this.closeListener = function onResponseClose(this: RawResponse): void {
      // After `finish` this is a no-op; before it, the response never went out in full.
      const subject = ends.takeListened(this)
      if (subject === undefined) return
      ends.ended(
        subject,
        this instanceof ServerResponse
          ? unfinishedStatus(this)
          : http2Status(this as Http2Response),
        this,
      )
    }
    this.socketCloseListener = function onSocketClose(this: Socket): void {
      ends.socketClosed(this)
    }
  }

  /**
   * Watches `res` until it ends; `subject` is what `ended` gets back. Call once per response.
   * `connection`: the request's socket, if the caller has read it already. When it carries `res`
   * (`_httpMessage`, Node's own link), `res.socket` need not be read: a read of a response
   * property nobody read since its last change misses V8's caches (see request-slot.ts in the
   * Express adapter).
   */
  watch(res: RawResponse, subject: Subject, connection?: object): void {
    const socket =
      res instanceof ServerResponse
        ? carriesResponse(connection, res)
          ? (connection as Socket)
          : res.socket
        : undefined
    if (socket === null) {
      // Only an HTTP/1.1 response waiting behind another has no socket: Node's server queued it.
      const connection = (res as ServerResponse).req?.socket
      if (connection instanceof Socket) {
        this.queue(res as ServerResponse, subject, connection)
        return
      }
    }
    if (!(socket instanceof Socket)) {
      ;(res as unknown as Record<symbol, Subject | undefined>)[this.listenedKey] = subject
      res.on('finish', this.finishListener)
      res.on('close', this.closeListener)
      return
    }
    const slot = socket as unknown as ConnectionSlots
    if (!(this.socketKey in slot)) this.watchSocket(socket)
    slot[this.socketKey] = res as ServerResponse
    slot[this.subjectKey] = subject
    this.onServer++
    if (!this.listed) listWatcher(this)
  }

  /** From the channel: a response of Node's HTTP/1.1 server finished (maybe not one of ours). */
  finishedOnServer(res: ServerResponse, socket: Socket): void {
    const subject = this.take(res, socket)
    if (subject !== undefined) this.ended(subject, sentStatus(res), res)
  }

  private queue(res: ServerResponse, subject: Subject, socket: Socket): void {
    this.queued.set(res, subject)
    this.onServer++
    if (!this.listed) listWatcher(this)
    if (!(this.socketKey in socket)) {
      this.watchSocket(socket)
      const slot = socket as unknown as ConnectionSlots
      slot[this.socketKey] = undefined
      slot[this.subjectKey] = undefined
    }
  }

  /** Once per connection and instance. */
  private watchSocket(socket: Socket): void {
    if (!subscribed) {
      subscribe(SERVER_RESPONSE_FINISH, onServerResponseFinish)
      subscribed = true
    }
    // Ours must not count against the app's listener limit: Express' on-finished already adds
    // one `close` listener per queued response, and a deep pipeline nears the default 10.
    const limit = socket.getMaxListeners()
    if (limit !== 0 && limit !== Number.POSITIVE_INFINITY) socket.setMaxListeners(limit + 1)
    // Before Node's own `close` handling: that aborts the request, and a body parser's error
    // handler (Express's `express.json()` on a stalled upload) then writes its answer into the
    // dead socket at once, making the head look sent where the client got Node's 408.
    socket.prependListener('close', this.socketCloseListener)
  }

  /** The connection is gone: its response in flight, and any queued behind it, never finished. */
  private socketClosed(socket: Socket): void {
    const res = (socket as unknown as ConnectionSlots)[this.socketKey] as ServerResponse | undefined
    if (res !== undefined) {
      const subject = this.take(res, socket)
      if (subject !== undefined) this.ended(subject, unfinishedStatus(res, socket), res)
    }
    if (this.queued.size === 0) return
    for (const queued of this.queued.keys()) {
      if (queued.req?.socket !== socket) continue
      const subject = this.take(queued, socket)
      if (subject !== undefined) this.ended(subject, CLIENT_CLOSED_REQUEST, queued)
    }
  }

  /**
   * The subject of a response of Node's HTTP/1.1 server on `socket`, once: later calls get
   * `undefined`. Not kept past its end: an idle keep-alive connection must not hold the last
   * response.
   */
  private take(res: ServerResponse, socket: Socket): Subject | undefined {
    const slot = socket as unknown as ConnectionSlots
    let subject: Subject | undefined
    if (slot[this.socketKey] === res) {
      subject = slot[this.subjectKey] as Subject | undefined
      slot[this.socketKey] = undefined
      slot[this.subjectKey] = undefined
    } else if (this.queued.size !== 0) {
      subject = this.queued.get(res)
      this.queued.delete(res)
    }
    if (subject === undefined) return undefined
    this.onServer--
    return subject
  }

  /** The subject of a response watched by listeners, once. */
  private takeListened(res: RawResponse): Subject | undefined {
    const slot = res as unknown as Record<symbol, Subject | undefined>
    const subject = slot[this.listenedKey]
    if (subject === undefined) return undefined
    slot[this.listenedKey] = undefined
    return subject
  }
}

/** What instances keep on a connection of Node's HTTP/1.1 server, under their own keys. */
type ConnectionSlots = Record<symbol, unknown>

/**
 * Whether `connection` is a plain HTTP/1 socket carrying `res` now (`_httpMessage`, Node's own
 * link): not an HTTP/2 session, and `res` not queued behind another response.
 */
export function carriesResponse(connection: object | undefined, res: object): boolean {
  return (
    connection !== undefined &&
    (connection as { readonly _httpMessage?: unknown })._httpMessage === res
  )
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
function unfinishedStatus(res: ServerResponse, socket: Socket | null = res.socket): number {
  if (socket !== null && !res.headersSent) {
    const reason = (socket as Socket & { readonly errored?: { code?: unknown } | null }).errored
    if (reason?.code === 'ERR_HTTP_REQUEST_TIMEOUT') return REQUEST_TIMEOUT
  }
  return CLIENT_CLOSED_REQUEST
}
