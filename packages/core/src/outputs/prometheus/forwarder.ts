import { createConnection, type Socket } from 'node:net'
// Node's own timers, not the globals a test environment may replace.
import { clearTimeout, setTimeout } from 'node:timers'
import type { FaultLog } from '../../config/fault-log'
import {
  type ChangeMessage,
  takeSeriesChange,
  type WireFamily,
  type WireSeries,
  wireFamily,
} from './changes'
import type { PrometheusStore } from './store'

const RECONNECT_MS = 1_000

/**
 * A worker's side of the local socket: after each flush, sends the aggregator what changed.
 * While the aggregator is away (not started yet, restarting), messages wait in a bounded queue
 * (oldest dropped first, counted) and go out on reconnection, with every family and every gauge
 * again, since a new aggregator knows neither.
 */
export class Forwarder {
  private socket: Socket | undefined
  private connected = false
  private queue: string[] = []
  private queuedBytes = 0
  private reconnect: NodeJS.Timeout | undefined
  private closed = false
  /** Messages dropped from a full queue. */
  dropped = 0

  constructor(
    private readonly socketPath: string,
    private readonly store: PrometheusStore,
    private readonly source: string,
    private readonly maxQueueBytes: number,
    private readonly faults: FaultLog,
  ) {
    this.connect()
  }

  /** True while connected to the aggregator. */
  get isConnected(): boolean {
    return this.connected
  }

  /** Sends (or queues) every change since the last call. */
  send(): void {
    const families = this.store.takeNewFamilies().map(wireFamily)
    const changed = this.store.takeChanged()
    if (families.length === 0 && changed.length === 0) return
    this.write(this.message(families, changed.map(takeSeriesChange)))
  }

  /** Resolves once what was sent has left for the aggregator (or after `timeoutMs`). */
  close(timeoutMs: number): Promise<void> {
    this.closed = true
    clearTimeout(this.reconnect)
    const socket = this.socket
    if (socket === undefined) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      timer.unref()
      function done(): void {
        clearTimeout(timer)
        socket?.destroy()
        resolve()
      }
      socket.once('close', done)
      if (this.connected) socket.end()
      // Not connected: whatever is queued may still go out if the aggregator answers in time.
      else socket.once('connect', () => socket.end())
    })
  }

  private message(families: WireFamily[], series: WireSeries[]): string {
    const message: ChangeMessage =
      families.length === 0
        ? { src: this.source, s: series }
        : { src: this.source, f: families, s: series }
    return `${JSON.stringify(message)}\n`
  }

  private write(line: string): void {
    const socket = this.socket
    if (this.connected && socket !== undefined) {
      // An aggregator that stopped reading must not grow this process's memory either.
      if (socket.writableLength > this.maxQueueBytes) {
        this.drop()
        return
      }
      socket.write(line)
      return
    }
    this.queue.push(line)
    this.queuedBytes += line.length
    while (this.queuedBytes > this.maxQueueBytes && this.queue.length > 1) {
      this.queuedBytes -= this.queue.shift()?.length ?? 0
      this.drop()
    }
  }

  private drop(): void {
    this.dropped++
    this.faults.report(
      'prometheus-queue',
      `the aggregator at ${this.socketPath} is away or not reading: dropped the oldest changes (more than maxQueueBytes ${this.maxQueueBytes} waiting)`,
    )
  }

  private connect(): void {
    if (this.closed) return
    const socket = createConnection(this.socketPath)
    this.socket = socket
    // Metrics never keep a process alive; a pending write still completes.
    socket.unref()
    socket.setNoDelay(true)
    socket.on('connect', () => {
      this.connected = true
      // A new aggregator (or one that restarted) knows none of this worker's families or gauges:
      // families first, then what waited, then every gauge's value now (newer than any queued).
      const queued = this.queue
      this.queue = []
      this.queuedBytes = 0
      const families = [...this.store.families.values()]
      this.store.takeNewFamilies()
      if (families.length > 0) socket.write(this.message(families.map(wireFamily), []))
      for (const line of queued) socket.write(line)
      const gauges = this.gaugeValues()
      if (gauges.length > 0) socket.write(this.message([], gauges))
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.faults.report(
        'prometheus-aggregator',
        `cannot reach the Prometheus aggregator at ${this.socketPath} (${error.code ?? error.message}): start it in the cluster primary (startPrometheusAggregator) or run routemeter-exporter; changes are kept (up to maxQueueBytes) until it answers`,
      )
    })
    socket.on('close', () => {
      this.connected = false
      this.socket = undefined
      if (this.closed) return
      this.reconnect = setTimeout(() => this.connect(), RECONNECT_MS)
      this.reconnect.unref()
    })
  }

  private gaugeValues(): WireSeries[] {
    const gauges: WireSeries[] = []
    for (const family of this.store.families.values()) {
      if (family.def.type !== 'gauge') continue
      for (const series of family.series.values())
        gauges.push([family.def.name, series.labels, series.value])
    }
    return gauges
  }
}
