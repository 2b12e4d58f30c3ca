import type { IncomingMessage, ServerResponse } from 'node:http'
import { carriesResponse, NO_EXECUTION_TIMERS, TIMERS_SLOT } from '@routemeter/core/adapter'

/**
 * Where a measured request's tracker (`req.metrics`) is kept, and how it is found again with the
 * fewest reads of `req`. Node's HTTP server gives no two requests one hidden class, and Express
 * adds properties to each as it goes, so every property added to `req` is a fresh map (about a
 * microsecond plus its garbage, in the bench's profile) and every read of a property nobody read
 * since the last change misses V8's caches (a few hundred nanoseconds). A connection's shape
 * settles after its first request: stores and reads on it cost nanoseconds.
 *
 * So the tracker is kept on its connection, which serves one request at a time: its slot holds
 * the trackers of the latest request and of the one before, so code running after the response
 * went out (`res.json(x); await audit(); req.metrics.time(...)`) still finds its timers while
 * the client's next request runs and after it ended, until a third request starts on the
 * connection. Later than that they are not found: `req.metrics` then records nothing and says
 * so once (see mount-order.ts). An idle keep-alive connection holds its last two requests until
 * its next one or its close (Node's `keepAliveTimeout`, 5 s by default). A request pipelined behind
 * one still in flight, and any request not carried by a plain HTTP/1 connection (Express on
 * HTTP/2's compatibility layer), carries its tracker itself, in core's slot; only while one of
 * those is in flight is that slot read for the others (a miss there walks `req`'s whole
 * prototype chain).
 *
 * From the global symbol registry, like core's slot, so that two copies of the adapter (its ESM
 * and CJS builds) find each other's trackers.
 */
const CURRENT_REQ = Symbol.for('routemeter.express.req')
const CURRENT = Symbol.for('routemeter.express.tracker')
/** Whether the current request's response has ended: the next request may take the slot. */
const ENDED = Symbol.for('routemeter.express.ended')
const PREVIOUS_REQ = Symbol.for('routemeter.express.previousReq')
const PREVIOUS = Symbol.for('routemeter.express.previous')
const SHARED = Symbol.for('routemeter.express.slots')

/** What a tracker kept by this module provides. */
export interface SlottedTracker {
  /** The request it measures. */
  readonly req: object
  /** Whether it is kept on its request (see {@link trackerEnded}); set here. */
  onRequest: boolean
}

/**
 * The connection as read and written here: Node's socket, `_httpMessage` being the response it
 * carries. Everything compared per request is on the connection itself, which Node has just
 * read from, so that a new request touches no older object (cold in the CPU's caches by then:
 * a separate slot object cost as much as a read of `req`).
 */
interface Connection {
  readonly _httpMessage?: unknown
  [CURRENT_REQ]?: object
  /** The current request's tracker, or `NO_EXECUTION_TIMERS` when it is left alone. */
  [CURRENT]?: unknown
  [ENDED]?: boolean
  [PREVIOUS_REQ]?: object
  [PREVIOUS]?: unknown
}

type SlottedRequest = IncomingMessage & { [TIMERS_SLOT]?: unknown }

/** Trackers on their requests whose response has not ended, across every copy of the adapter. */
const shared = sharedCounts()

function sharedCounts(): { onRequests: number } {
  const registry = globalThis as Record<symbol, { onRequests: number } | undefined>
  const existing = registry[SHARED]
  if (existing !== undefined) return existing
  const created = { onRequests: 0 }
  registry[SHARED] = created
  return created
}

/**
 * The tracker of the request that last entered {@link attachTracker} in this copy: the next
 * hooked layer usually runs for the same request, synchronously, and finds it without reading
 * `req` at all.
 */
let latest: SlottedTracker | undefined

/**
 * The connection `req` arrived on (`req.socket`: the one read of `req` the lookups need), or
 * `undefined` when it is not an object.
 */
export function connectionOf(req: IncomingMessage): object | undefined {
  const socket: unknown = req.socket
  return typeof socket === 'object' && socket !== null ? socket : undefined
}

/** Keeps `tracker` where {@link trackerOf} finds it for its request. */
export function attachTracker(
  tracker: SlottedTracker,
  res: ServerResponse,
  connection: object | undefined,
): void {
  latest = tracker
  if (keepOnConnection(tracker.req, tracker, false, res, connection)) return
  tracker.onRequest = true
  shared.onRequests++
  ;(tracker.req as SlottedRequest)[TIMERS_SLOT] = tracker
}

/**
 * Marks a request routemeter leaves alone (excluded): {@link trackerOf} gives the no-op timers,
 * which is also what its `req.metrics` returns. Ended at once, so the connection's next request
 * may displace it; on the request itself it is not counted: the lookups find it there only on a
 * plain connection.
 */
export function markUnmeasured(
  req: SlottedRequest,
  res: ServerResponse,
  connection: object | undefined,
): void {
  if (!keepOnConnection(req, NO_EXECUTION_TIMERS, true, res, connection))
    req[TIMERS_SLOT] = NO_EXECUTION_TIMERS
}

/** Keeps `kept` for `req` on its connection, if that carries `res` and its last request ended. */
function keepOnConnection(
  req: object,
  kept: unknown,
  ended: boolean,
  res: ServerResponse,
  connection: object | undefined,
): boolean {
  if (!carriesResponse(connection, res)) return false
  const socket = connection as Connection
  const current = socket[CURRENT]
  if (current !== undefined && socket[ENDED] !== true) return false
  // One request back is kept: the one before that has been over for a whole request.
  socket[PREVIOUS_REQ] = socket[CURRENT_REQ]
  socket[PREVIOUS] = current
  socket[CURRENT_REQ] = req
  socket[CURRENT] = kept
  socket[ENDED] = ended
  return true
}

/** To be called when a tracker's response has ended; `connection` is its request's. */
export function trackerEnded(tracker: SlottedTracker, connection: object | undefined): void {
  // Not held past its end by this copy: its server may be closed next.
  if (latest === tracker) latest = undefined
  if (tracker.onRequest) {
    tracker.onRequest = false
    shared.onRequests--
    return
  }
  const socket = connection as Connection | undefined
  if (socket !== undefined && socket[CURRENT] === tracker) socket[ENDED] = true
}

/**
 * What routemeter keeps for `req`: its tracker, `NO_EXECUTION_TIMERS` for a request it leaves
 * alone, or `undefined`. `connection`: `req`'s, if the caller read it already.
 */
export function trackerOf(
  req: SlottedRequest,
  connection: object | undefined = connectionOf(req),
): unknown {
  if (latest !== undefined && latest.req === req) return latest
  const socket = connection as Connection | undefined
  if (socket !== undefined) {
    if (socket[CURRENT_REQ] === req) return socket[CURRENT]
    if (socket[PREVIOUS_REQ] === req) return socket[PREVIOUS]
  }
  return shared.onRequests === 0 && socket?._httpMessage !== undefined
    ? undefined
    : req[TIMERS_SLOT]
}
