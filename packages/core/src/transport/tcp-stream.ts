import { EventEmitter } from 'node:events'
import net from 'node:net'
// Node's own timers: the globals may be a test environment's (jsdom: numbers, no unref()).
import { clearTimeout, setImmediate, setTimeout } from 'node:timers'
import { errorText, type FaultLog } from '../config/fault-log'

const MIN_RECONNECT_DELAY_MS = 100
const MAX_RECONNECT_DELAY_MS = 5_000
/** Queued payloads are joined into writes of about this size. */
const MAX_WRITE_BYTES = 64 * 1024

/**
 * A TCP connection to StatsD that survives its peer: hot-shots' own TCP transport does not
 * reconnect reliably and ignores backpressure, so core hands it this stream instead
 * (`protocol: 'stream'`).
 *
 * - Connects lazily and reconnects with capped exponential backoff after any close.
 * - Writes go to the socket in a later turn (see {@link scheduleTurnEnd}). What the socket
 *   cannot take waits in a queue bounded by `maxQueueBytes` (oldest dropped first, lines
 *   counted). The bound is for data that cannot be written — a peer that is away or slow — so
 *   the payloads of the turn being written are exempt while the connection takes everything it
 *   is given (or is being made): a healthy peer gets a flush larger than the bound whole.
 *   When the turn ends, whatever the socket did not take is held to the bound (oldest dropped),
 *   so a peer that stops reading in the middle of a large flush cannot leave more queued;
 *   only a first connect still under way holds the bound plus that one flush. Not counted: the
 *   one write handed to the socket and not yet taken by the kernel (at most
 *   {@link MAX_WRITE_BYTES} plus one payload), and the kernel's own buffers.
 * - Chunks whose write had not completed when the connection died are queued again.
 * - Nothing is thrown or emitted as `error` to the caller: faults go to the FaultLog.
 */
export class ReconnectingTcpStream extends EventEmitter {
  private socket: net.Socket | undefined
  private connected = false
  /** A connect attempt is under way: data waits for it instead of being written off. */
  private connecting = false
  private reconnectDelay = MIN_RECONNECT_DELAY_MS
  private reconnectTimer: NodeJS.Timeout | undefined
  private readonly queue: string[] = []
  private queueHead = 0
  private queuedBytes = 0
  /** Bytes queued during the current turn, at the back of the queue. */
  private freshBytes = 0
  /** Of those, the bytes on their way to a connection that takes everything: not held back. */
  private exemptBytes = 0
  /** Chunks handed to the socket whose write callback has not fired yet. */
  private readonly inFlight = new Set<{ readonly text: string }>()
  private ending = false
  private turnOpen = false
  destroyed = false
  droppedLines = 0
  writtenLines = 0

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxQueueBytes: number,
    private readonly faults: FaultLog,
  ) {
    super()
    this.connect()
  }

  /**
   * Bytes held for a peer that could not take them yet (what `maxQueueBytes` bounds); a flush
   * on its way to a connection that takes everything is not held back and not counted.
   */
  get pendingBytes(): number {
    return this.queuedBytes - this.exemptBytes
  }

  /** True when nothing waits in the queue or in the socket. */
  get idle(): boolean {
    return this.queuedBytes === 0 && this.inFlight.size === 0
  }

  write(chunk: string | Buffer, callback?: (error?: Error | null) => void): boolean {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1')
    if (this.destroyed || this.ending) {
      this.drop(text)
    } else {
      this.enqueue(text)
      this.scheduleTurnEnd()
    }
    // The caller (hot-shots) is told every write succeeded: losses are ours to count.
    if (callback) process.nextTick(callback, null)
    return true
  }

  /**
   * Waits until queued data is written or `timeoutMs` passes. A connect under way is waited
   * for too: a short-lived process (CLI, cron, serverless) flushes before its first connect
   * completes, and a peer a few ms away must still get the data.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.idle && (this.connected || this.connecting) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  /** Flushes what it can within `timeoutMs`, then closes; what is left is counted as dropped. */
  async end(timeoutMs: number): Promise<void> {
    if (this.destroyed) return
    await this.drain(timeoutMs)
    this.destroy()
  }

  destroy(): this {
    if (this.destroyed) return this
    this.destroyed = true
    clearTimeout(this.reconnectTimer)
    for (const chunk of this.inFlight) this.drop(chunk.text)
    this.inFlight.clear()
    while (this.queueHead < this.queue.length) this.drop(this.shift())
    this.socket?.destroy()
    this.socket = undefined
    this.emit('close')
    return this
  }

  private connect(): void {
    if (this.destroyed) return
    this.connecting = true
    const socket = net.connect({ host: this.host, port: this.port })
    socket.setNoDelay(true)
    socket.setKeepAlive(true)
    // Metrics must never keep a process alive.
    socket.unref()
    this.socket = socket
    socket.on('connect', () => {
      this.connecting = false
      this.connected = true
      this.reconnectDelay = MIN_RECONNECT_DELAY_MS
      this.pump()
    })
    socket.on('drain', () => this.pump())
    // A StatsD peer never talks back; read and discard so its data cannot pile up.
    socket.on('data', () => {})
    // The peer closed: stop writing at once (anything written now would be lost) and reconnect.
    socket.on('end', () => {
      this.connected = false
      socket.destroy()
    })
    socket.on('error', (error) => {
      this.faults.report(
        'tcp-connection',
        `StatsD at ${this.host}:${this.port}: ${errorText(error)}`,
      )
    })
    socket.on('close', () => this.onClose(socket))
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return
    this.connected = false
    this.connecting = false
    this.socket = undefined
    // Writes that never completed did not reach the peer: put them back in front.
    const unsent = [...this.inFlight]
    this.inFlight.clear()
    for (let i = unsent.length - 1; i >= 0; i--) this.unshift((unsent[i] as { text: string }).text)
    if (this.destroyed) return
    // The peer is away until the next attempt: hold no more than the bound meanwhile.
    this.exemptBytes = 0
    this.trimToBound()
    this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectDelay)
    this.reconnectTimer.unref()
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS)
  }

  /**
   * Writes happen in a later check phase, never inside the caller's turn: the poll phase in
   * between delivers a peer's FIN first, so data is not written into a connection that is
   * already gone (where it would vanish without an error). It also coalesces writes, and ends
   * the turn whose payloads are exempt from the queue bound.
   */
  private scheduleTurnEnd(): void {
    if (this.turnOpen) return
    this.turnOpen = true
    setImmediate(() => {
      this.turnOpen = false
      this.freshBytes = 0
      this.exemptBytes = 0
      this.pump()
      // What the socket did not take now waits for a peer that is away or slow: the exemption
      // ended with the turn, so the bound applies to all of it (a connect under way excepted).
      if (!this.connecting) this.trimToBound()
    })
  }

  private pump(): void {
    const socket = this.socket
    if (!socket || !this.connected) return
    while (this.queueHead < this.queue.length && !socket.writableNeedDrain) {
      let batch = this.shift()
      while (this.queueHead < this.queue.length && batch.length < MAX_WRITE_BYTES)
        batch += this.shift()
      this.writeToSocket(socket, batch)
    }
  }

  private writeToSocket(socket: net.Socket, text: string): void {
    const entry = { text }
    this.inFlight.add(entry)
    socket.write(text, 'latin1', (error) => {
      // On error the entry stays in flight: the close that follows queues it again.
      if (error || !this.inFlight.delete(entry)) return
      this.writtenLines += countLines(text)
    })
  }

  private enqueue(text: string): void {
    this.queue.push(text)
    this.queuedBytes += text.length
    this.freshBytes += text.length
    // While the connection takes what it is given (nothing left in the socket: the kernel
    // accepted every write) or is being made, this turn's payloads are about to be written: only
    // the backlog in front of them counts against the bound. With no connection, or one whose
    // kernel buffers are full (a stalled or slow peer), nothing can be written: all of it counts.
    const writable = this.connecting || (this.connected && (this.socket?.writableLength ?? 0) === 0)
    this.exemptBytes = writable ? this.freshBytes : 0
    this.trimToBound(this.exemptBytes)
  }

  /** Drops the oldest payloads until the queue, less `exempt` bytes at its back, fits the bound. */
  private trimToBound(exempt = 0): void {
    let dropped = 0
    while (
      this.queuedBytes > this.maxQueueBytes &&
      this.queuedBytes > exempt &&
      this.queueHead < this.queue.length
    ) {
      dropped += this.drop(this.shift())
    }
    if (dropped > 0) {
      this.faults.report(
        'queue-overflow',
        `StatsD at ${this.host}:${this.port} is away or slow; the ${this.maxQueueBytes}-byte send queue is full, oldest metrics dropped`,
      )
    }
  }

  private shift(): string {
    const text = this.queue[this.queueHead] as string
    this.queue[this.queueHead] = ''
    this.queueHead++
    this.queuedBytes -= text.length
    // The queue empties from the front, backlog first: fresh bytes go once the backlog is gone.
    if (this.freshBytes > this.queuedBytes) this.freshBytes = this.queuedBytes
    if (this.exemptBytes > this.queuedBytes) this.exemptBytes = this.queuedBytes
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0
      this.queueHead = 0
    }
    return text
  }

  private unshift(text: string): void {
    if (this.queueHead > 0) {
      this.queueHead--
      this.queue[this.queueHead] = text
    } else {
      this.queue.unshift(text)
    }
    this.queuedBytes += text.length
  }

  private drop(text: string): number {
    const lines = countLines(text)
    this.droppedLines += lines
    return lines
  }
}

function countLines(text: string): number {
  let lines = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
  // hot-shots terminates every TCP/stream payload with `\n`; a bare line still counts.
  return lines === 0 && text.length > 0 ? 1 : lines
}
