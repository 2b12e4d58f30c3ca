import type dgram from 'node:dgram'
import { isIP } from 'node:net'
import type { Writable } from 'node:stream'
import { setImmediate, setTimeout } from 'node:timers'
import { type ClientOptions, StatsD } from 'hot-shots'
import { RoutemeterOptionError } from '../config/errors'
import { errorText, type FaultKind, type FaultLog } from '../config/fault-log'
import type { ResolvedOptions } from '../config/options'
import { HostLookup } from './host-lookup'
import { ReconnectingTcpStream } from './tcp-stream'
import { unixDgramUnavailable } from './unix-dgram'

/** The one hot-shots method we need: hand a whole, pre-batched payload to the socket. */
interface PayloadClient {
  sendMessage(message: string, callback: (error?: Error | null) => void): void
}

export interface TransportStats {
  datagrams: number
  bytes: number
  droppedLines: number
  queuedBytes: number
}

/** Where flushed payloads go: hot-shots in production, memory in tests. */
export interface PayloadTransport {
  readonly client: StatsD | undefined
  send(payload: string, lines: number): void
  stats(): TransportStats
  /** Resolves once every payload handed over has been sent or failed, or after `timeoutMs`. */
  settle(timeoutMs: number): Promise<void>
  close(timeoutMs: number): Promise<void>
}

interface HeldPayload {
  readonly payload: string
  readonly lines: number
}

/**
 * Carries finished payloads over hot-shots: UDP (a host name resolved at start-up, cached, see
 * {@link HostLookup}), Unix datagram sockets, or TCP through {@link ReconnectingTcpStream}.
 * hot-shots never formats or buffers anything here (payloads arrive batched), and its Datadog
 * extras stay off.
 */
export class HotShotsTransport implements PayloadTransport {
  private currentClient: StatsD
  private readonly ownsClient: boolean
  private readonly tcp: ReconnectingTcpStream | undefined
  private readonly hostLookup: HostLookup | undefined
  /** hot-shots options of the UDP client, to make its IPv6 twin; cleared once that is made. */
  private common: ClientOptions | undefined
  /** UDP payloads waiting for the host name's answer (bounded by `maxQueueBytes`). */
  private held: HeldPayload[] = []
  private heldBytes = 0
  private pendingSends = 0
  private datagrams = 0
  private bytes = 0
  private droppedLines = 0
  private closed = false

  constructor(
    private readonly options: ResolvedOptions,
    private readonly faults: FaultLog,
  ) {
    if (options.client) {
      this.currentClient = options.client
      this.ownsClient = false
      warnAboutClientSettings(options)
      return
    }
    this.ownsClient = true
    const errorHandler = (error: Error) =>
      this.faults.report(faultKind(error), describeTarget(options, error))
    const common: ClientOptions = {
      maxBufferSize: 0,
      includeDataDogTags: false,
      includeDatadogTelemetry: false,
      errorHandler,
    }
    if (options.protocol === 'tcp') {
      this.tcp = new ReconnectingTcpStream(
        options.host,
        options.port,
        options.maxQueueBytes,
        faults,
      )
      this.currentClient = new StatsD({
        ...common,
        protocol: 'stream',
        stream: this.tcp as unknown as Writable,
      })
    } else if (options.protocol === 'uds') {
      const unavailable = unixDgramUnavailable()
      if (unavailable !== undefined) {
        throw new RoutemeterOptionError(
          'protocol',
          'uds',
          `"udp" or "tcp" on this machine: "uds" needs unix-dgram, hot-shots' optional native module, which is not built here (building it at install needs a C/C++ toolchain and Node headers; loading it failed: ${unavailable})`,
        )
      }
      this.currentClient = new StatsD({ ...common, protocol: 'uds', path: options.path })
    } else {
      const ipVersion = isIP(options.host)
      if (ipVersion === 0)
        this.hostLookup = new HostLookup(options.host, (error) => this.release(error))
      // An IPv4 socket until the name turns out to have IPv6 addresses only (see release()).
      this.currentClient = this.createUdpClient(common, ipVersion === 6 ? 'udp6' : 'udp4')
      this.common = common
    }
  }

  /** The hot-shots client; for an IPv6-only host name, the IPv6 one made once that is known. */
  get client(): StatsD {
    return this.currentClient
  }

  private createUdpClient(common: ClientOptions, type: 'udp4' | 'udp6'): StatsD {
    return new StatsD({
      ...common,
      protocol: 'udp',
      host: this.options.host,
      port: this.options.port,
      // A host name is resolved by HostLookup (cached, one lookup at a time), not by hot-shots'
      // `cacheDns`, which starts a lookup per datagram while the name does not resolve.
      cacheDns: false,
      udpSocketOptions:
        this.hostLookup === undefined
          ? { type }
          : { type, lookup: this.hostLookup.lookup as dgram.SocketOptions['lookup'] },
    })
  }

  send(payload: string, lines: number): void {
    if (this.closed) {
      this.droppedLines += lines
      return
    }
    this.pendingSends++
    // The first flush may come before the host name's answer: hold it, bounded by bytes.
    if (this.hostLookup?.unsettled) {
      this.hold(payload, lines)
      return
    }
    this.sendNow(payload, lines)
  }

  private sendNow(payload: string, lines: number): void {
    const onSent = (error?: Error | null) => {
      this.pendingSends--
      if (error) {
        this.droppedLines += lines
        this.faults.report(faultKind(error), describeTarget(this.options, error))
      } else {
        this.datagrams++
        this.bytes += payload.length
      }
    }
    try {
      ;(this.currentClient as unknown as PayloadClient).sendMessage(payload, onSent)
    } catch (error) {
      onSent(error instanceof Error ? error : new Error(String(error)))
    }
  }

  private hold(payload: string, lines: number): void {
    this.held.push({ payload, lines })
    this.heldBytes += payload.length
    while (this.heldBytes > this.options.maxQueueBytes) {
      const oldest = this.held.shift() as HeldPayload
      this.heldBytes -= oldest.payload.length
      this.pendingSends--
      this.droppedLines += oldest.lines
      this.faults.report(
        'dns',
        `StatsD host "${this.options.host}" is still being resolved; over maxQueueBytes (${this.options.maxQueueBytes}) held, oldest metrics dropped`,
      )
    }
  }

  /** The host name's lookup finished: send what was held, or count it lost with the error. */
  private release(error: NodeJS.ErrnoException | undefined): void {
    if (error === undefined && this.hostLookup?.family === 6 && this.common !== undefined) {
      const ipv4Client = this.currentClient
      this.currentClient = this.createUdpClient(this.common, 'udp6')
      // Once: later lookups (every minute) keep asking for IPv6.
      this.common = undefined
      try {
        ipv4Client.close(() => {})
      } catch {
        // Nothing was ever sent on it; a failing close changes nothing.
      }
    }
    const held = this.held
    if (held.length === 0) return
    this.held = []
    this.heldBytes = 0
    for (const { payload, lines } of held) {
      if (error === undefined && !this.closed) {
        this.sendNow(payload, lines)
      } else {
        this.pendingSends--
        this.droppedLines += lines
      }
    }
    if (error !== undefined) this.faults.report('dns', describeTarget(this.options, error))
  }

  stats(): TransportStats {
    return {
      datagrams: this.datagrams,
      bytes: this.bytes,
      droppedLines: this.droppedLines + (this.tcp?.droppedLines ?? 0),
      queuedBytes: this.tcp?.pendingBytes ?? 0,
    }
  }

  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.pendingSends > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    await this.tcp?.drain(Math.max(0, deadline - Date.now()))
  }

  async close(timeoutMs: number): Promise<void> {
    await this.settle(timeoutMs)
    this.closed = true
    // Still no answer for the host name at the deadline: what waits for it is lost.
    for (const { lines } of this.held) this.droppedLines += lines
    this.pendingSends -= this.held.length
    this.held = []
    this.heldBytes = 0
    if (!this.ownsClient) return
    const restoreGlobal = lendSetImmediate()
    try {
      await new Promise<void>((resolve) => {
        try {
          this.currentClient.close(() => resolve())
        } catch {
          resolve()
        }
      })
    } finally {
      restoreGlobal()
    }
    this.tcp?.destroy()
  }
}

/**
 * hot-shots' `close()` ends by calling the global `setImmediate`, which Jest's jsdom environment
 * does not have: its callback never ran, so `await meter.close()` never resolved. Lend it Node's
 * own while the client closes, and take it back after; a global that exists is left alone.
 */
function lendSetImmediate(): () => void {
  const scope = globalThis as { setImmediate?: unknown }
  if (typeof scope.setImmediate === 'function') return () => {}
  const had = Object.hasOwn(scope, 'setImmediate')
  const previous = scope.setImmediate
  scope.setImmediate = setImmediate
  return () => {
    if (scope.setImmediate !== setImmediate) return
    if (had) scope.setImmediate = previous
    else delete scope.setImmediate
  }
}

function faultKind(error: Error): FaultKind {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'dns' : 'send'
}

function describeTarget(options: ResolvedOptions, error: Error): string {
  const target =
    options.protocol === 'uds'
      ? `unix:${options.path ?? '(default path)'}`
      : `${options.protocol}://${options.host}:${options.port}`
  return `sending to StatsD at ${target} failed: ${errorText(error)}`
}

/**
 * A user's hot-shots client applies its prefix, suffix and global tags only in its own metric
 * methods; routemeter hands it finished datagrams, so they would silently not apply. Say so once.
 */
function warnAboutClientSettings(options: ResolvedOptions): void {
  const client = options.client as unknown as {
    prefix?: unknown
    suffix?: unknown
    globalTags?: unknown
  }
  const ignored: string[] = []
  if (typeof client.prefix === 'string' && client.prefix !== '')
    ignored.push(`prefix ${JSON.stringify(client.prefix)}`)
  if (typeof client.suffix === 'string' && client.suffix !== '')
    ignored.push(`suffix ${JSON.stringify(client.suffix)}`)
  if (Array.isArray(client.globalTags) && client.globalTags.length > 0)
    ignored.push(`global tags ${JSON.stringify(client.globalTags)}`)
  if (ignored.length === 0) return
  try {
    options.logger.warn(
      `routemeter: the hot-shots client passed as "client" has ${ignored.join(', ')}; routemeter sends finished datagrams through it, so these are not applied to routemeter's metrics. Set routemeter's "prefix" and "globalTags" options instead.`,
    )
  } catch {
    // A throwing logger must not stop start-up over a notice.
  }
}
