import type dgram from 'node:dgram'
import { isIP } from 'node:net'
import type { Writable } from 'node:stream'
import { type ClientOptions, StatsD } from 'hot-shots'
import { errorText, type FaultKind, type FaultLog } from './fault-log'
import { HostLookup } from './host-lookup'
import type { ResolvedOptions } from './options'
import { ReconnectingTcpStream } from './tcp-stream'

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

/**
 * Carries finished payloads over hot-shots: UDP (DNS resolved once and cached), Unix
 * datagram sockets, or TCP through {@link ReconnectingTcpStream}. hot-shots never formats or
 * buffers anything here (payloads arrive batched), and its Datadog extras stay off.
 */
export class HotShotsTransport implements PayloadTransport {
  readonly client: StatsD
  private readonly ownsClient: boolean
  private readonly tcp: ReconnectingTcpStream | undefined
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
      this.client = options.client
      this.ownsClient = false
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
      this.client = new StatsD({
        ...common,
        protocol: 'stream',
        stream: this.tcp as unknown as Writable,
      })
    } else if (options.protocol === 'uds') {
      this.client = new StatsD({ ...common, protocol: 'uds', path: options.path })
    } else {
      const ipVersion = isIP(options.host)
      this.client = new StatsD({
        ...common,
        protocol: 'udp',
        host: options.host,
        port: options.port,
        // A host name is resolved by HostLookup (cached, one lookup at a time), not by hot-shots'
        // `cacheDns`, which starts a lookup per datagram while the name does not resolve.
        cacheDns: false,
        udpSocketOptions:
          ipVersion === 0
            ? {
                type: 'udp4',
                lookup: new HostLookup(options.host, 4).lookup as dgram.SocketOptions['lookup'],
              }
            : { type: ipVersion === 6 ? 'udp6' : 'udp4' },
      })
    }
  }

  send(payload: string, lines: number): void {
    if (this.closed) {
      this.droppedLines += lines
      return
    }
    this.pendingSends++
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
      ;(this.client as unknown as PayloadClient).sendMessage(payload, onSent)
    } catch (error) {
      onSent(error instanceof Error ? error : new Error(String(error)))
    }
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
    if (!this.ownsClient) return
    await new Promise<void>((resolve) => {
      try {
        this.client.close(() => resolve())
      } catch {
        resolve()
      }
    })
    this.tcp?.destroy()
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
