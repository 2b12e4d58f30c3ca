import dgram from 'node:dgram'
import net from 'node:net'
import { StatsdLines } from './statsd-lines'

export interface ReceiverOptions {
  protocol?: 'udp' | 'tcp'
  host?: string
  /** `0` (default) picks a free port. */
  port?: number
}

/**
 * A real StatsD receiver on loopback for tests: it keeps every datagram (UDP) or newline-
 * delimited line (TCP) it gets. `stop()` and `start()` simulate a StatsD that dies and comes
 * back on the same port; `pause()` makes a TCP receiver stop reading (a stalled peer).
 */
export class StatsdReceiver extends StatsdLines {
  readonly protocol: 'udp' | 'tcp'
  readonly host: string
  port: number
  /** Datagrams (UDP) or data chunks (TCP) received. */
  readonly packets: string[] = []
  bytes = 0
  private received: string[] = []
  private udp: dgram.Socket | undefined
  private tcp: net.Server | undefined
  private readonly connections = new Set<net.Socket>()
  private paused = false

  constructor(options: ReceiverOptions = {}) {
    super()
    this.protocol = options.protocol ?? 'udp'
    this.host = options.host ?? '127.0.0.1'
    this.port = options.port ?? 0
  }

  lines(): string[] {
    return this.received
  }

  clear(): void {
    this.received = []
    this.packets.length = 0
    this.bytes = 0
  }

  get connectionCount(): number {
    return this.connections.size
  }

  async start(): Promise<this> {
    if (this.protocol === 'udp') {
      const socket = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4')
      socket.on('message', (message) => this.accept(message.toString('latin1'), true))
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind(this.port, this.host, () => resolve())
      })
      this.port = socket.address().port
      // A burst of datagrams sent in one turn must not be lost by this receiver's own buffer
      // (Linux' default of 208 KB holds ~80 full datagrams); capped by net.core.rmem_max.
      try {
        socket.setRecvBufferSize(4 * 1024 * 1024)
      } catch {
        // Not allowed here: keep the default.
      }
      this.udp = socket
    } else {
      const server = net.createServer((connection) => this.onConnection(connection))
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(this.port, this.host, () => resolve())
      })
      this.port = (server.address() as net.AddressInfo).port
      this.tcp = server
    }
    return this
  }

  /** Stops listening and drops every connection, as a crashed daemon would. */
  async stop(): Promise<void> {
    const udp = this.udp
    this.udp = undefined
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()))
    const tcp = this.tcp
    this.tcp = undefined
    for (const connection of this.connections) connection.destroy()
    this.connections.clear()
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()))
  }

  close(): Promise<void> {
    return this.stop()
  }

  /** TCP only: stop reading, so the sender's socket buffers fill (a stalled peer). */
  pause(): void {
    this.paused = true
    for (const connection of this.connections) connection.pause()
  }

  resume(): void {
    this.paused = false
    for (const connection of this.connections) connection.resume()
  }

  /** Resolves when `predicate` holds, checking as data arrives; rejects after `timeoutMs`. */
  async waitFor(predicate: (receiver: this) => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate(this)) {
      if (Date.now() > deadline) {
        throw new Error(
          `StatsdReceiver: condition not met within ${timeoutMs} ms (${this.received.length} lines received)`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  waitForLines(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor((receiver) => receiver.received.length >= count, timeoutMs)
  }

  private onConnection(connection: net.Socket): void {
    this.connections.add(connection)
    if (this.paused) connection.pause()
    let partial = ''
    connection.setEncoding('latin1')
    connection.on('data', (chunk: string) => {
      const text = partial + chunk
      const end = text.lastIndexOf('\n')
      partial = end === -1 ? text : text.slice(end + 1)
      if (end !== -1) this.accept(text.slice(0, end), false)
      this.packets.push(chunk)
      this.bytes += chunk.length
    })
    connection.on('error', () => {})
    connection.on('close', () => this.connections.delete(connection))
  }

  private accept(text: string, datagram: boolean): void {
    if (datagram) {
      this.packets.push(text)
      this.bytes += text.length
    }
    for (const line of text.split('\n')) if (line !== '') this.received.push(line)
  }
}

export function startStatsdReceiver(options: ReceiverOptions = {}): Promise<StatsdReceiver> {
  return new StatsdReceiver(options).start()
}
