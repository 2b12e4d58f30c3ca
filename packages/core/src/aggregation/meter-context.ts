import type { MetricId, RequestSeriesInfo } from '../config/custom-naming'
import type { FaultLog } from '../config/fault-log'
import { DEFAULT_METHODS, KnownMethods, STANDARD_METHODS } from '../config/http-method'
import type { Tags } from '../config/option-types'
import type { ResolvedOptions } from '../config/options'
import { sanitizeName } from '../config/sanitize'
import type { Namer, UserMetricSource } from '../naming/naming'
import type { PrometheusOutput } from '../outputs/prometheus/output'
import type { DatagramPacker } from '../outputs/statsd/datagram-packer'
import { formatSampleRate, type SeriesWire, type WireFormat } from '../outputs/statsd/wire-format'
import { type SeriesVariants, variantStride } from '../request/request-variants'
import type { SeriesRegistry } from './registry'
import {
  type CounterSeries,
  type GaugeSeries,
  RequestSeries,
  type SampleSeries,
  SampleSeries as Samples,
  type SampleType,
  type Series,
} from './series'

/** Durations are recorded in milliseconds; Prometheus wants base units. */
const MS_TO_SECONDS = 0.001

/**
 * What route handles, scopes and the meter share: naming, wire format, the series registry
 * and the bounds. Kept apart from the meter so the hot-path classes depend on nothing else.
 */
export class MeterContext {
  /** False when disabled or closed: every recording is then a no-op. */
  enabled: boolean
  /** Recordings that went to the overflow bucket or were dropped at the series cap. */
  overflowed = 0
  /**
   * What splits request series beyond route × method × status (scheme, HTTP version, labels);
   * `undefined` when nothing does, so a plain request never computes a variant.
   */
  readonly variants: SeriesVariants | undefined
  /** The methods recorded by name; the others are `_OTHER`. */
  readonly methods: KnownMethods
  /** What a variant's id is multiplied by in a series key (see request-variants.ts). */
  readonly variantStride: number
  /**
   * True when the naming sends no request counter (`otel`): the duration's count is the request
   * count, so every request must leave a duration sample.
   */
  readonly countsByDuration: boolean
  private readonly rateField: string
  private readonly sampleRate: number
  private readonly maxSamples: number
  /** `maxSamplesPerFlush`: 0 keeps every sample, else the reservoir's size. */
  private readonly reservoirSize: number
  private earlyPacker: DatagramPacker | undefined

  constructor(
    readonly options: ResolvedOptions,
    readonly namer: Namer,
    readonly wire: WireFormat,
    readonly registry: SeriesRegistry,
    readonly faults: FaultLog,
    variants?: SeriesVariants,
    /** Where series are mirrored for Prometheus; `undefined` without `prometheus`. */
    readonly prometheus?: PrometheusOutput,
    /** The naming of the Prometheus mirrors: tag style's, unless the naming is `otel`. */
    private readonly prometheusNamer: Namer = namer,
  ) {
    this.enabled = options.enabled
    this.variants = variants?.active === true ? variants : undefined
    this.methods =
      options.naming === 'otel'
        ? new KnownMethods(options.knownMethods ?? STANDARD_METHODS, true)
        : DEFAULT_METHODS
    this.variantStride = variantStride(this.methods.stride)
    this.countsByDuration = namer.requestCounter === undefined
    this.sampleRate = options.sampleRate
    this.rateField = options.sampleRate < 1 ? `|@${formatSampleRate(options.sampleRate)}` : ''
    this.maxSamples = options.maxSamplesPerSeries
    this.reservoirSize = options.maxSamplesPerFlush
  }

  /**
   * True, and logged, when a user metric's name belongs to one of routemeter's own metrics:
   * such a metric is not recorded (a timer named `http.server.requests` would put a second type
   * under the request counter's name). Checked only when a series would be created.
   */
  isReservedName(name: string, source: UserMetricSource): boolean {
    const reservedBy = this.namer.reservedBy(sanitizeName(name), source)
    if (reservedBy === undefined) return false
    this.faults.report(
      'reserved-name',
      `"${String(name).slice(0, 100)}" is the name of ${reservedBy}; a metric of yours under it is not recorded, choose another name`,
    )
    return true
  }

  /** Set by the meter: where a series goes when it reaches its sample bound before a flush. */
  attachPacker(packer: DatagramPacker): void {
    this.earlyPacker = packer
  }

  addSample(series: SampleSeries, value: number): void {
    if (!this.enabled) return
    if (this.sampleRate < 1 && Math.random() >= this.sampleRate) return
    if (this.reservoirSize !== 0) {
      // Bounded by the reservoir: nothing to send early.
      series.offer(value, this.reservoirSize)
      return
    }
    const samples = series.samples
    samples.push(value)
    if (samples.length >= this.maxSamples) this.flushEarly(series)
  }

  /** Holds `size` values or members now: at the bound, so this one series goes out at once. */
  isFull(size: number): boolean {
    return size >= this.maxSamples
  }

  /** Bounded memory without losing anything: one series is sent now, before the flush. */
  flushEarly(series: Series): void {
    if (this.earlyPacker === undefined) return
    series.drain(this.earlyPacker)
    this.earlyPacker.end()
  }

  newSampleSeries(id: MetricId, type: SampleType, extraTags?: Tags): SampleSeries {
    const tags = extraTags === undefined ? id.tags : { ...extraTags, ...id.tags }
    return this.sampleSeriesFor(this.wire.series(id.name, tags), type)
  }

  sampleSeriesFor(wire: SeriesWire, type: SampleType): SampleSeries {
    return new Samples(wire, type, this.sampleRate, this.rateField, this.options.packValues)
  }

  newRequestSeries(info: RequestSeriesInfo): RequestSeries {
    const counter = this.namer.requestCounter?.(info)
    const timer = this.namer.requestTimer(info)
    const type = this.options.timerType
    const series = new RequestSeries(
      counter === undefined ? undefined : this.wire.series(counter.name, counter.tags),
      this.newSampleSeries(timer, type),
      info.routeKind === 'overflow',
      this.options.bodySizes
        ? this.newSampleSeries(this.namer.requestBodySize(info), type)
        : undefined,
      this.options.bodySizes
        ? this.newSampleSeries(this.namer.responseBodySize(info), type)
        : undefined,
    )
    if (this.prometheus !== undefined) this.mirrorRequestSeries(series, info)
    return series
  }

  /** Mirrors a counter (request counts, `increment`) in Prometheus. */
  mirrorCounter(series: CounterSeries, id: MetricId): void {
    series.mirror = this.prometheus?.series('counter', id)
  }

  /**
   * Mirrors timer samples in Prometheus as a histogram: `duration` ones (milliseconds, made
   * seconds), body `size`s (bytes) or plain `values` (`histogram`, `distribution`).
   */
  mirrorSamples(
    series: SampleSeries,
    kind: 'duration' | 'size' | 'values',
    id: MetricId,
    extraTags?: Tags,
  ): void {
    if (this.prometheus === undefined) return
    series.mirror = this.prometheus.series(kind, id, extraTags)
    if (kind === 'duration') series.mirrorScale = MS_TO_SECONDS
  }

  /** Mirrors an execution timer (`metrics.timer(name)` in a handler), named by the Prometheus naming. */
  mirrorExecutionTimer(
    series: SampleSeries,
    name: string,
    scope: Parameters<Namer['executionTimer']>[1],
    tags: Tags | undefined,
  ): void {
    if (this.prometheus === undefined) return
    this.mirrorSamples(series, 'duration', this.prometheusNamer.executionTimer(name, scope), tags)
  }

  /**
   * Mirrors a gauge. Process gauges are per process (`perSource`) and their `_ms` ones go out
   * in seconds under a `_seconds` name.
   */
  mirrorGauge(series: GaugeSeries, kind: 'gauge' | 'process-gauge', id: MetricId): void {
    if (this.prometheus === undefined) return
    if (kind === 'process-gauge' && id.name.endsWith('_ms')) {
      series.mirror = this.prometheus.series(kind, {
        ...id,
        name: `${id.name.slice(0, -3)}_seconds`,
      })
      series.mirrorScale = MS_TO_SECONDS
    } else {
      series.mirror = this.prometheus.series(kind, id)
    }
  }

  /**
   * Mirrors one of the meter's own gauges (active requests, process metrics), named by the
   * Prometheus naming: path style's `gauges.` root is a StatsD path, not a Prometheus name.
   */
  mirrorOwnGauge(series: GaugeSeries, kind: 'gauge' | 'process-gauge', name: string): void {
    if (this.prometheus === undefined) return
    this.mirrorGauge(series, kind, this.prometheusNamer.gauge(name))
  }

  /** Sets aren't exported: Prometheus has no such type (statsd_exporter rejects them too). */
  refuseSetMirror(name: string): void {
    if (this.prometheus === undefined) return
    this.faults.report(
      'prometheus',
      `set "${String(name).slice(0, 100)}" is sent over StatsD only: Prometheus has no set type (count unique values yourself and use a gauge)`,
    )
  }

  private mirrorRequestSeries(series: RequestSeries, info: RequestSeriesInfo): void {
    const namer = this.prometheusNamer
    const counter = namer.requestCounter?.(info)
    if (counter !== undefined) this.mirrorCounter(series.count, counter)
    this.mirrorSamples(series.duration, 'duration', namer.requestTimer(info))
    if (series.requestSize !== undefined)
      this.mirrorSamples(series.requestSize, 'size', namer.requestBodySize(info))
    if (series.responseSize !== undefined)
      this.mirrorSamples(series.responseSize, 'size', namer.responseBodySize(info))
  }
}
