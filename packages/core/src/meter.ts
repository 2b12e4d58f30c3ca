import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
// Node's own timers, not the globals: a test environment (jsdom) may swap those for timers
// that return numbers and have no unref().
import {
  clearImmediate,
  clearInterval,
  clearTimeout,
  setImmediate,
  setInterval,
  setTimeout,
} from 'node:timers'
import type { StatsD } from 'hot-shots'
import { ActiveRequestsByAttributes } from './aggregation/active-requests'
import { MeterContext } from './aggregation/meter-context'
import { ProcessMetrics } from './aggregation/process-metrics'
import { SeriesRegistry } from './aggregation/registry'
import { RouteMetrics, tagsKey } from './aggregation/route-metrics'
import {
  CounterSeries,
  GaugeSeries,
  type SampleType,
  type Series,
  SetSeries,
} from './aggregation/series'
import type { MetricId } from './config/custom-naming'
import { FaultLog } from './config/fault-log'
import type { Tags } from './config/option-types'
import { type MeterOptions, type ResolvedOptions, resolveOptions } from './config/options'
import { sanitizeSetMember } from './config/sanitize'
import { flushOnExit, forgetOnExit } from './exit-flush'
import { createNamer } from './naming/naming'
import { PrometheusOutput } from './outputs/prometheus/output'
import { DatagramPacker } from './outputs/statsd/datagram-packer'
import { type SeriesWire, WireFormat } from './outputs/statsd/wire-format'
import { countBodyBytes } from './request/body-bytes'
import { RequestLabelReader } from './request/request-labels'
import { SeriesVariants } from './request/request-variants'
import type { RawResponse } from './request/response-end'
import { type Stopper, startStopper, timeCall } from './request/stopper'
import { HotShotsTransport, type PayloadTransport } from './transport/transport'

/** One finished request, as an adapter (or application code) reports it. */
export interface RequestRecord {
  /** Route template (`/users/:id`); `undefined` or `null` when no route matched. */
  route: string | null | undefined
  method: string
  statusCode: number
  durationMs: number
}

export interface MeterStats {
  readonly enabled: boolean
  readonly closed: boolean
  /** Requests started and not yet finished (reported by adapters). */
  readonly activeRequests: number
  /** Distinct series held (request series count once per route × method × status). */
  readonly series: number
  readonly flushes: number
  /** Lines produced by flushes and handed to the transport. */
  readonly lines: number
  readonly datagrams: number
  readonly bytes: number
  /** Lines lost: send errors, a full TCP queue, oversize lines, shutdown with a dead peer. */
  readonly droppedLines: number
  /**
   * Recordings sent to the overflow bucket or dropped because the series cap was reached, and
   * request label values recorded as `_other` because their label reached `maxLabelValues`
   * (one per label value: a request can count once per label and once for the bucket).
   */
  readonly overflowed: number
  /** Bytes held for a TCP peer that could not take them yet (bounded by `maxQueueBytes`). */
  readonly queuedBytes: number
  /** Runtime faults by kind. */
  readonly faults: Readonly<Record<string, number>>
}

export interface Meter {
  increment(name: string, value?: number | Tags, tags?: Tags): void
  decrement(name: string, value?: number | Tags, tags?: Tags): void
  /** Sets a gauge to an absolute value. */
  gauge(name: string, value: number, tags?: Tags): void
  /** Moves a gauge by a delta (`+n` / `-n` on the wire). */
  gaugeDelta(name: string, delta: number, tags?: Tags): void
  timing(name: string, milliseconds: number, tags?: Tags): void
  /** DogStatsD histogram (`|h`). */
  histogram(name: string, value: number, tags?: Tags): void
  /** DogStatsD distribution (`|d`). */
  distribution(name: string, value: number, tags?: Tags): void
  /** Counts unique members per flush interval. */
  set(name: string, member: string | number, tags?: Tags): void
  timer(name: string, tags?: Tags): Stopper
  time<T>(name: string, fn: () => T, tags?: Tags): T
  recordRequest(record: RequestRecord): void
  /** The route handle adapters keep per route template. */
  route(template: string): RouteMetrics
  /** The bucket for requests no route matched. */
  readonly unmatched: RouteMetrics
  /**
   * Marks a request as started; returns its start time for {@link Meter.requestEnded}. Adapters
   * pass Node's response, which options that need more than route × method × status read.
   */
  requestStarted(res?: RawResponse): number
  /**
   * Marks a request as finished and records it on `route` (nothing is recorded when undefined).
   * `res` is Node's response and `request` the framework's request object (what `labels`
   * functions are given); both are read only when the naming or the options need them.
   */
  requestEnded(
    route: RouteMetrics | undefined,
    method: string,
    statusCode: number,
    startedAt: number,
    res?: RawResponse,
    request?: unknown,
  ): void
  /** Sends everything recorded so far; resolves when it has left the process. */
  flush(): Promise<void>
  /** Flushes, stops the interval and closes the connection (never a client the user passed). Idempotent. */
  close(): Promise<void>
  stats(): MeterStats
  /** The hot-shots client underneath, for anything routemeter does not cover; `undefined` when disabled. */
  readonly client: StatsD | undefined
  /** The Prometheus exposition; `undefined` without the `prometheus` option (or when disabled). */
  readonly prometheus: PrometheusEndpoint | undefined
  readonly options: Readonly<ResolvedOptions>
}

export interface ScrapeResponse {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/** A meter's Prometheus side, for adapters and for serving it yourself. */
export interface PrometheusEndpoint {
  /**
   * The exposition as a scrape with this `Accept` header gets it: OpenMetrics 1.0 when asked
   * for, else the text format 0.0.4. Rejects on a worker that forwards to an aggregator.
   */
  scrape(accept?: string): Promise<{ readonly contentType: string; readonly body: string }>
  /**
   * The answer to a scrape, for adapters that write responses their framework's way: 200 with
   * the exposition, or 503 saying where the totals are on a worker that forwards them.
   */
  respond(accept?: string): Promise<ScrapeResponse>
  /** A `node:http` request listener answering GET and HEAD with the exposition. */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** The path adapters answer scrapes at on the app's port (`prometheus.route`), if any. */
  readonly route: string | undefined
  /** Resolves with the port of routemeter's own listener once it listens (`undefined` without one). */
  readonly listening: Promise<number | undefined>
}

const SETTLE_TIMEOUT_MS = 2_000
const ACTIVE_REQUESTS_GAUGE = 'http.server.active_requests'
/**
 * Longest stretch an interval flush drains before giving the event loop a turn: 20 000 live
 * series are some 80 000 lines and thousands of sends, far too long to hold requests up for.
 * 1 ms rather than 2: on the bench's VM the longest event-loop delay per flush of 20 000 series
 * fell from a median of 7.4–8.4 ms to 6.1–7.5 ms (three runs of ten flushes each way); a slice
 * adds to whatever scavenge the flush's own garbage triggers.
 */
const FLUSH_SLICE_MS = 1

/** Creates a meter from options (and `STATSD_*` variables). Invalid options throw here. */
export function createMeter<Request = unknown>(options: MeterOptions<Request> = {}): Meter {
  const resolved = resolveOptions(options)
  return new AggregatingMeter(
    resolved,
    resolved.enabled && resolved.statsd
      ? (faults) => new HotShotsTransport(resolved, faults)
      : undefined,
  )
}

export type TransportFactory = (faults: FaultLog) => PayloadTransport

export class AggregatingMeter implements Meter {
  readonly options: Readonly<ResolvedOptions>
  readonly unmatched: RouteMetrics
  private readonly ctx: MeterContext
  private readonly registry: SeriesRegistry
  private readonly faults: FaultLog
  private readonly transport: PayloadTransport | undefined
  private readonly prometheusOutput: PrometheusOutput | undefined
  readonly prometheus: PrometheusEndpoint | undefined
  private readonly packer: DatagramPacker
  private readonly routes = new Map<string, RouteMetrics>()
  private readonly gauges = new Map<string, GaugeSeries>()
  private readonly processMetrics: ProcessMetrics | undefined
  private readonly interval: NodeJS.Timeout | undefined
  private overflowRoute: RouteMetrics | undefined
  private activeRequests = 0
  /** Per method and scheme, when the naming wants them (`otel`); else one gauge of the total. */
  private readonly activeByAttributes: ActiveRequestsByAttributes | undefined
  private tracksRequests = false
  private readonly countsBodies: boolean
  private flushes = 0
  private lines = 0
  private oversizeLines = 0
  /** The meter's own gauges went out in a `beforeExit` flush and nothing flushed since. */
  private gaugesSentAtExit = false
  private closing: Promise<void> | undefined
  /** Set while close() waits for the requests in flight: called when the last one ends. */
  private drained: (() => void) | undefined = undefined
  /** The next slice of the interval flush under way, if one is. */
  private nextSlice: NodeJS.Immediate | undefined
  private readonly continueSlicedFlush = (start: number): void => this.drainSlice(start)

  constructor(options: ResolvedOptions, transportFactory: TransportFactory | undefined) {
    this.options = options
    this.faults = new FaultLog(options.logger)
    this.registry = new SeriesRegistry(options.maxSeries)
    const wire = new WireFormat(options.prefix, options.tagFormat, options.globalTags)
    const namer = createNamer(options.naming, this.faults)
    // OpenTelemetry naming splits request series by the connection's scheme and HTTP version.
    const otel = options.naming === 'otel'
    if (options.enabled && options.prometheus !== undefined) {
      this.prometheusOutput = new PrometheusOutput(
        options.prometheus,
        { ...options.serviceLabels, ...options.globalTags },
        options.maxQueueBytes,
        this.faults,
        () => this.flushPending(),
      )
      this.prometheus = prometheusEndpoint(this.prometheusOutput, options.prometheus.route)
    }
    this.ctx = new MeterContext(
      options,
      namer,
      wire,
      this.registry,
      this.faults,
      new SeriesVariants(
        otel,
        options.labels === undefined
          ? undefined
          : new RequestLabelReader(options.labels, options.maxLabelValues, this.faults),
        // Each variant needs a series of its own: more than the series cap could never be kept.
        options.maxSeries,
        (res) => this.activeByAttributes?.schemeAtStart(res),
      ),
      this.prometheusOutput,
      // Prometheus names come from tag style (or otel): path style's names hold the labels.
      otel || options.naming === 'tags' ? namer : createNamer('tags', this.faults),
    )
    this.countsBodies = options.bodySizes
    if (namer.activeRequests !== undefined) {
      const name = namer.activeRequests.bind(namer)
      this.activeByAttributes = new ActiveRequestsByAttributes(
        this.ctx.methods,
        (method, scheme) => {
          const id = name(method, scheme)
          const gauge = this.registry.add(new GaugeSeries(wire.series(id.name, id.tags)))
          this.ctx.mirrorGauge(gauge, 'gauge', id)
          return gauge
        },
      )
    }
    this.transport = transportFactory?.(this.faults)
    if (this.transport === undefined && this.prometheusOutput === undefined)
      this.ctx.enabled = false
    this.packer = new DatagramPacker(
      options.maxBufferSize,
      (payload, lines) => {
        this.lines += lines
        this.transport?.send(payload, lines)
      },
      (line) => {
        this.oversizeLines++
        this.faults.report(
          'oversize-line',
          `a ${line.length}-byte line exceeds maxBufferSize (${options.maxBufferSize}); shorten names or tags`,
        )
      },
      this.transport !== undefined,
    )
    this.ctx.attachPacker(this.packer)
    this.unmatched = new RouteMetrics(this.ctx, 'unmatched', 'unmatched', () => this.overflow())
    if (this.ctx.enabled) {
      if (options.processMetrics)
        this.processMetrics = new ProcessMetrics((name) => this.internalGauge(name), otel)
      this.interval = setInterval(() => this.flushInSlices(), options.flushIntervalMs)
      // Metrics must never keep a process alive; exit-flush.ts covers the last interval.
      this.interval.unref()
      flushOnExit(this)
    }
  }

  get client(): StatsD | undefined {
    return this.transport?.client
  }

  increment(name: string, value?: number | Tags, tags?: Tags): void {
    this.count(name, value, tags, 1)
  }

  decrement(name: string, value?: number | Tags, tags?: Tags): void {
    this.count(name, value, tags, -1)
  }

  gauge(name: string, value: number, tags?: Tags): void {
    if (!this.ctx.enabled || !this.isNumber(name, value)) return
    this.userGauge(name, tags)?.set(value)
  }

  gaugeDelta(name: string, delta: number, tags?: Tags): void {
    if (!this.ctx.enabled || !this.isNumber(name, delta)) return
    this.userGauge(name, tags)?.add(delta)
  }

  timing(name: string, milliseconds: number, tags?: Tags): void {
    this.sample(this.options.timerType, name, milliseconds, tags, true)
  }

  histogram(name: string, value: number, tags?: Tags): void {
    this.sample('h', name, value, tags)
  }

  distribution(name: string, value: number, tags?: Tags): void {
    this.sample('d', name, value, tags)
  }

  set(name: string, member: string | number, tags?: Tags): void {
    if (!this.ctx.enabled) return
    const series = this.userSeries(
      's',
      name,
      tags,
      (wire) => new SetSeries(wire),
      () => this.ctx.refuseSetMirror(name),
    )
    if (series === undefined) return
    const members = series.members
    members.add(sanitizeSetMember(member))
    // Sets have the timers' bound: the daemon unions members within its interval, so sending a
    // full set early loses nothing and keeps memory and the next flush small.
    if (this.ctx.isFull(members.size)) this.ctx.flushEarly(series)
  }

  timer(name: string, tags?: Tags): Stopper {
    return startStopper((elapsed) => this.timing(name, elapsed, tags))
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    return timeCall(this.timer(name, tags), fn)
  }

  recordRequest(record: RequestRecord): void {
    const route =
      record.route === undefined || record.route === null
        ? this.unmatched
        : this.route(record.route)
    route.record(record.method, record.statusCode, record.durationMs)
  }

  route(template: string): RouteMetrics {
    const found = this.routes.get(template)
    if (found !== undefined) return found
    // Route handles are bounded like series, so arbitrary labels cannot grow memory.
    if (this.routes.size >= this.options.maxSeries) {
      this.faults.report(
        'series-cap',
        `more than ${this.options.maxSeries} routes; route ${JSON.stringify(String(template).slice(0, 100))} is counted in the overflow bucket`,
      )
      return this.overflow()
    }
    const route = new RouteMetrics(this.ctx, String(template), 'matched', () => this.overflow())
    this.routes.set(template, route)
    return route
  }

  requestStarted(res?: RawResponse): number {
    if (this.countsBodies && res !== undefined && this.ctx.enabled) countBodyBytes(res)
    this.activeRequests++
    this.activeByAttributes?.started(res)
    this.tracksRequests = true
    return performance.now()
  }

  requestEnded(
    route: RouteMetrics | undefined,
    method: string,
    statusCode: number,
    startedAt: number,
    res?: RawResponse,
    request?: unknown,
  ): void {
    route?.record(method, statusCode, performance.now() - startedAt, res, request)
    this.activeByAttributes?.ended(res)
    if (--this.activeRequests === 0 && this.drained !== undefined) this.drained()
  }

  flush(): Promise<void> {
    this.flushPending()
    return this.transport?.settle(SETTLE_TIMEOUT_MS) ?? Promise.resolve()
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  stats(): MeterStats {
    const transport = this.transport?.stats()
    return {
      enabled: this.options.enabled,
      closed: this.closing !== undefined,
      activeRequests: this.activeRequests,
      series: this.registry.size,
      flushes: this.flushes,
      lines: this.lines,
      datagrams: transport?.datagrams ?? 0,
      bytes: transport?.bytes ?? 0,
      droppedLines: (transport?.droppedLines ?? 0) + this.oversizeLines,
      overflowed: this.ctx.overflowed + (this.ctx.variants?.overflowed ?? 0),
      queuedBytes: transport?.queuedBytes ?? 0,
      faults: { ...this.faults.counts },
    }
  }

  /**
   * The `beforeExit` flush (exit-flush.ts). Its sends make `beforeExit` fire again: on that
   * repeat only what the app recorded in between goes out, not the meter's own gauges again, so
   * a process that never calls close() sends its data once and exits.
   */
  flushAtExit(): void {
    const sampleGauges = !this.gaugesSentAtExit
    this.flushPending(sampleGauges)
    this.gaugesSentAtExit = true
  }

  /**
   * Drains every series into datagrams now, in one go (flush(), close(), process exit), so
   * everything recorded has been handed to the transport when it returns. An interval flush
   * still under way is overtaken: this drains its remaining series too.
   */
  flushPending(sampleGauges = true): void {
    // Disabled, or closed: close() sent the last flush, nothing may follow (not even the gauge).
    if (!this.ctx.enabled) return
    this.cancelSlicedFlush()
    try {
      this.flushes++
      if (sampleGauges) this.sampleOwnGauges()
      this.registry.drainAll(this.packer)
      this.packer.end()
      this.prometheusOutput?.flushed()
    } catch (error) {
      this.flushFailed(error)
    }
  }

  /**
   * The interval flush: the same drain, cut into slices of about {@link FLUSH_SLICE_MS} with an
   * event-loop turn between them, so requests keep being served while many series go out.
   * Counts stay exact: a drain takes what a series holds and resets it, so a value recorded
   * meanwhile on a series already drained leaves with the next flush, and one recorded on a
   * series not reached yet leaves with this one.
   */
  private flushInSlices(): void {
    // The previous interval's flush is still going (a very slow machine): let it finish.
    if (this.nextSlice !== undefined || !this.ctx.enabled) return
    try {
      this.flushes++
      this.sampleOwnGauges()
    } catch (error) {
      this.flushFailed(error)
      return
    }
    this.drainSlice(0)
  }

  private drainSlice(start: number): void {
    this.nextSlice = undefined
    // close() drained everything before disabling the meter; nothing may follow it.
    if (!this.ctx.enabled) return
    try {
      const next = this.registry.drainUntil(this.packer, start, performance.now() + FLUSH_SLICE_MS)
      if (next === -1) {
        this.packer.end()
        this.prometheusOutput?.flushed()
      } else this.nextSlice = setImmediate(this.continueSlicedFlush, next)
    } catch (error) {
      this.flushFailed(error)
    }
  }

  private cancelSlicedFlush(): void {
    if (this.nextSlice === undefined) return
    clearImmediate(this.nextSlice)
    this.nextSlice = undefined
  }

  private sampleOwnGauges(): void {
    this.gaugesSentAtExit = false
    if (this.activeByAttributes !== undefined) this.activeByAttributes.sample()
    else if (this.tracksRequests) this.internalGauge(ACTIVE_REQUESTS_GAUGE).set(this.activeRequests)
    this.processMetrics?.sample()
  }

  private flushFailed(error: unknown): void {
    // Only a user-supplied naming or logger function could throw here; never the app's problem.
    this.faults.report('send', `flush failed: ${String(error)}`)
  }

  private async shutDown(): Promise<void> {
    // Still recording meanwhile: requests that end during shutdown belong in the last flush.
    await this.inFlightEnded()
    clearInterval(this.interval)
    forgetOnExit(this)
    this.processMetrics?.stop()
    this.flushPending()
    this.ctx.enabled = false
    await Promise.all([
      this.transport?.close(SETTLE_TIMEOUT_MS),
      this.prometheusOutput?.close(SETTLE_TIMEOUT_MS),
    ])
  }

  /**
   * Resolves when no request is in flight, or after `closeWaitMs`. A server that closes its
   * connections (`closeAllConnections()`, Fastify's `forceCloseConnections`) calls the close
   * callback before the aborted requests' `close` events have run; those end a moment later.
   */
  private inFlightEnded(): Promise<void> {
    const bound = this.options.closeWaitMs
    if (this.activeRequests <= 0 || bound === 0 || !this.ctx.enabled) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(finish, bound)
      const meter = this
      function finish(): void {
        clearTimeout(timer)
        meter.drained = undefined
        resolve()
      }
      this.drained = finish
    })
  }

  private count(
    name: string,
    value: number | Tags | undefined,
    tags: Tags | undefined,
    sign: 1 | -1,
  ): void {
    if (!this.ctx.enabled) return
    let amount = 1
    if (typeof value === 'number') {
      if (!this.isNumber(name, value)) return
      amount = value
    } else if (value !== undefined) {
      tags = value
    }
    const series = this.userSeries(
      'c',
      name,
      tags,
      (wire) => new CounterSeries(wire),
      (counter) => this.ctx.mirrorCounter(counter, metricId(name, tags)),
    )
    if (series !== undefined) series.value += sign * amount
  }

  private sample(
    type: SampleType,
    name: string,
    value: number,
    tags: Tags | undefined,
    duration = false,
  ): void {
    if (!this.ctx.enabled || !this.isNumber(name, value)) return
    if (duration && value < 0) {
      this.faults.report(
        'invalid-value',
        `timer "${String(name).slice(0, 100)}" got ${value}; durations cannot be negative`,
      )
      return
    }
    const series = this.userSeries(
      type,
      name,
      tags,
      (wire) => this.ctx.sampleSeriesFor(wire, type),
      (samples) =>
        this.ctx.mirrorSamples(samples, duration ? 'duration' : 'values', metricId(name, tags)),
    )
    if (series !== undefined) this.ctx.addSample(series, value)
  }

  private userSeries<T extends Series>(
    type: string,
    name: string,
    tags: Tags | undefined,
    create: (wire: SeriesWire) => T,
    mirror: (series: T) => void,
  ): T | undefined {
    const key = tags === undefined ? `${type}|${name}` : `${type}|${name}|${tagsKey(tags)}`
    const found = this.registry.get(key)
    if (found !== undefined) return found as T
    if (this.ctx.isReservedName(name, 'meter')) return undefined
    if (!this.registry.hasRoom) {
      this.ctx.overflowed++
      this.faults.report(
        'series-cap',
        `more than ${this.options.maxSeries} series; "${String(name).slice(0, 100)}" is not recorded`,
      )
      return undefined
    }
    const series = this.registry.addKeyed(key, create(this.ctx.wire.series(name, tags)))
    mirror(series)
    return series
  }

  private userGauge(name: string, tags: Tags | undefined): GaugeSeries | undefined {
    return this.userSeries(
      'g',
      name,
      tags,
      (wire) => new GaugeSeries(wire),
      (gauge) => this.ctx.mirrorGauge(gauge, 'gauge', metricId(name, tags)),
    )
  }

  /** Meter-owned gauges (active requests, process metrics), named by the naming style. */
  private internalGauge(name: string): GaugeSeries {
    let gauge = this.gauges.get(name)
    if (gauge === undefined) {
      const id = this.ctx.namer.gauge(name)
      gauge = this.registry.add(new GaugeSeries(this.ctx.wire.series(id.name, id.tags)))
      // Active requests add up across processes; event-loop and memory gauges are per process.
      this.ctx.mirrorOwnGauge(
        gauge,
        name === ACTIVE_REQUESTS_GAUGE ? 'gauge' : 'process-gauge',
        name,
      )
      this.gauges.set(name, gauge)
    }
    return gauge
  }

  private overflow(): RouteMetrics {
    this.overflowRoute ??= new RouteMetrics(this.ctx, 'overflow', 'overflow', () => this.overflow())
    return this.overflowRoute
  }

  private isNumber(name: string, value: number): boolean {
    if (typeof value === 'number' && Number.isFinite(value)) return true
    this.faults.report(
      'invalid-value',
      `metric "${String(name).slice(0, 100)}" got ${String(value)}; only finite numbers are recorded`,
    )
    return false
  }
}

function metricId(name: string, tags: Tags | undefined): MetricId {
  return tags === undefined ? { name } : { name, tags }
}

/** The meter's Prometheus side as adapters and users see it. */
function prometheusEndpoint(
  output: PrometheusOutput,
  route: string | undefined,
): PrometheusEndpoint {
  const respond = (accept: string | undefined): Promise<ScrapeResponse> =>
    output.scrape(accept).then(
      (scrape) => ({ status: 200, contentType: scrape.contentType, body: scrape.body }),
      // A worker forwarding to an aggregator holds only its own changes: say where the totals are.
      (error: unknown) => ({
        status: output.exposition === undefined ? 503 : 500,
        contentType: 'text/plain; charset=utf-8',
        body: `${(error as Error).message}\n`,
      }),
    )
  return {
    scrape: (accept) => output.scrape(accept),
    respond,
    handle: (req, res) => {
      if (output.exposition !== undefined) {
        output.exposition.handle(req, res)
        return
      }
      void respond(req.headers.accept).then((answer) => {
        res.writeHead(answer.status, { 'content-type': answer.contentType })
        res.end(answer.body)
      })
    },
    route,
    listening: output.listening,
  }
}
