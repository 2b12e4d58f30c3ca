import type { RouteKind } from '../config/custom-naming'
import type { Tags } from '../config/option-types'
import { requestSeriesInfo } from '../naming/naming'
import type { SeriesVariant } from '../naming/series-variant'
import { CLIENT_CLOSED_REQUEST } from '../naming/status'
import { bodyBytesReceived, bodyBytesSent } from '../request/body-bytes'
import type { RawResponse } from '../request/response-end'
import { type Stopper, startStopper, timeCall } from '../request/stopper'
import type { MeterContext } from './meter-context'
import type { RequestSeries, SampleSeries } from './series'

/** Per-request execution timers, bound to the request's route and method (`request.metrics`). */
export interface ExecutionTimers {
  /** Starts a timer; call the returned stopper (or `using` it) to record. */
  timer(name: string, tags?: Tags): Stopper
  /** Times `fn` (sync or async), recording when it returns, throws, resolves or rejects. */
  time<T>(name: string, fn: () => T, tags?: Tags): T
}

function stopNothing(): number {
  return 0
}

const NOOP_STOPPER: Stopper = Object.assign(stopNothing, { [Symbol.dispose]: stopNothing })

/**
 * Execution timers that record nothing, for requests that are not measured (excluded paths,
 * routes opted out): handlers keep calling `timer()`/`time()` without checks.
 */
export const NO_EXECUTION_TIMERS: ExecutionTimers = Object.freeze({
  timer: (_name: string, _tags?: Tags): Stopper => NOOP_STOPPER,
  time: <T>(_name: string, fn: () => T, _tags?: Tags): T => fn(),
})

/**
 * The metrics of one route template. Adapters look it up once per route and keep it; recording
 * a finished request is then one Map lookup (status × method) and two in-memory updates.
 */
export class RouteMetrics {
  private readonly series = new Map<number, RequestSeries>()
  /**
   * The series of the last key looked up, kept here: a route's requests mostly share one method
   * and status, and with thousands of routes the Map and its table are two more objects out of
   * the CPU's caches per request (-1: none yet).
   */
  private lastKey = -1
  private lastSeries: RequestSeries | undefined = undefined
  private readonly scopes: Array<ExecutionScope | undefined> = []

  constructor(
    private readonly ctx: MeterContext,
    /** The route template as given, or `unmatched` / `overflow`. */
    readonly route: string,
    readonly kind: RouteKind,
    private readonly overflow: () => RouteMetrics,
  ) {}

  /**
   * Records one finished request. `statusCode` outside 100–999 is recorded as `0`. A duration
   * that is negative or not finite is not sampled (an `Infinity` would poison the backend's mean
   * and upper); the request is still counted. `res` (Node's response) and `request` (the
   * framework's request object) are read only when the naming or the options split series
   * further (scheme, HTTP version, request labels).
   */
  record(
    method: string,
    statusCode: number,
    durationMs: number,
    res?: RawResponse,
    request?: unknown,
  ): void {
    const ctx = this.ctx
    if (!ctx.enabled) return
    const status =
      statusCode >= 100 && statusCode <= 999 && (statusCode | 0) === statusCode ? statusCode : 0
    const methods = ctx.methods
    let key = status * methods.stride + methods.index(method)
    let variant: SeriesVariant | undefined
    if (ctx.variants !== undefined) {
      variant = ctx.variants.of(res, request)
      // The overflow bucket keeps no label values: its series stay as few as without labels.
      if (this.kind === 'overflow') variant = ctx.variants.overflowOf(variant)
      key += variant.id * ctx.variantStride
    }
    const series =
      key === this.lastKey ? (this.lastSeries as RequestSeries) : this.seriesFor(key, variant)
    series.count.value++
    if (series.overflow) ctx.overflowed++
    if (durationMs >= 0 && durationMs < Number.POSITIVE_INFINITY)
      ctx.addSample(series.duration, durationMs)
    else this.invalidDuration(series, durationMs)
    if (series.requestSize !== undefined && res !== undefined)
      recordBodySizes(ctx, series, res, status)
  }

  /** Execution timers for requests of this route with the given method (cached, no allocation). */
  scope(method: string): ExecutionTimers {
    const index = this.ctx.methods.index(method)
    return this.scopes[index] ?? this.createScope(index)
  }

  /**
   * A negative or non-finite duration (only `recordRequest` can pass one) is not sampled, and a
   * non-finite one is reported. Where the duration's count is the request count (`otel`), a 0
   * is sampled instead so the request is still counted.
   */
  private invalidDuration(series: RequestSeries, durationMs: number): void {
    const ctx = this.ctx
    if (ctx.countsByDuration) ctx.addSample(series.duration, 0)
    if (Number.isFinite(durationMs)) return
    ctx.faults.report(
      'invalid-value',
      `request duration ${String(durationMs)} on route ${JSON.stringify(this.route.slice(0, 100))}: the request is counted, the duration is ${ctx.countsByDuration ? 'sent as 0' : 'not sent'}`,
    )
  }

  private seriesFor(key: number, variant: SeriesVariant | undefined): RequestSeries {
    const known = this.series.get(key)
    if (known === undefined) return this.createSeries(key, variant)
    this.lastKey = key
    this.lastSeries = known
    return known
  }

  private createSeries(key: number, variant: SeriesVariant | undefined): RequestSeries {
    const ctx = this.ctx
    let series: RequestSeries
    if (ctx.registry.hasRoom || this.kind === 'overflow') {
      const { methods, variantStride } = ctx
      const info = requestSeriesInfo(
        this.route,
        this.kind,
        methods.name(key % methods.stride),
        Math.floor((key % variantStride) / methods.stride),
        variant,
      )
      series = ctx.registry.add(ctx.newRequestSeries(info))
    } else {
      ctx.faults.report(
        'series-cap',
        `more than ${ctx.options.maxSeries} series; route ${JSON.stringify(this.route.slice(0, 100))} is counted in the overflow bucket`,
      )
      series = this.overflow().seriesForKey(key, variant)
      // With a variant, the keys a route may see multiply by the label values: past the cap
      // they are not remembered here (the overflow bucket holds one series per key part).
      if (variant !== undefined) return series
    }
    this.series.set(key, series)
    this.lastKey = key
    this.lastSeries = series
    return series
  }

  /** The overflow bucket's series for a key another route had no room for. */
  private seriesForKey(key: number, variant: SeriesVariant | undefined): RequestSeries {
    let own = variant
    const { variants, variantStride } = this.ctx
    if (variant !== undefined && variants !== undefined) {
      own = variants.overflowOf(variant)
      key = (key % variantStride) + own.id * variantStride
    }
    return this.series.get(key) ?? this.createSeries(key, own)
  }

  private createScope(index: number): ExecutionScope {
    const scope = new ExecutionScope(this.ctx, this.route, this.kind, this.ctx.methods.name(index))
    this.scopes[index] = scope
    return scope
  }
}

class ExecutionScope implements ExecutionTimers {
  private readonly timers = new Map<string, SampleSeries>()

  constructor(
    private readonly ctx: MeterContext,
    private readonly route: string,
    private readonly kind: RouteKind,
    private readonly method: string,
  ) {}

  timer(name: string, tags?: Tags): Stopper {
    if (!this.ctx.enabled) return NOOP_STOPPER
    const ctx = this.ctx
    const series = this.seriesFor(name, tags)
    if (series === null) return NOOP_STOPPER
    return startStopper((elapsed) => ctx.addSample(series, elapsed))
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    return timeCall(this.timer(name, tags), fn)
  }

  /**
   * The series of a timer name and tags, created on first use; `null` for a reserved name or
   * once the series cap is reached (counted in `overflowed`). A refusal is not remembered: names
   * and tags past the cap must not grow memory.
   */
  private seriesFor(name: string, tags: Tags | undefined): SampleSeries | null {
    const key = tags === undefined ? name : `${name}\u0000${tagsKey(tags)}`
    const found = this.timers.get(key)
    if (found !== undefined) return found
    const ctx = this.ctx
    if (ctx.isReservedName(name, 'execution')) return null
    if (!ctx.registry.hasRoom) {
      ctx.overflowed++
      ctx.faults.report(
        'series-cap',
        `more than ${ctx.options.maxSeries} series; timer "${String(name).slice(0, 100)}" is not recorded`,
      )
      return null
    }
    const route = requestSeriesInfo(this.route, this.kind, this.method, 0, undefined).route
    const scope = { route, routeKind: this.kind, method: this.method }
    const id = ctx.namer.executionTimer(name, scope)
    const series = ctx.registry.add(ctx.newSampleSeries(id, ctx.options.timerType, tags))
    ctx.mirrorExecutionTimer(series, name, scope, tags)
    this.timers.set(key, series)
    return series
  }
}

/**
 * Body sizes of a request that got its answer: an aborted one (499) has no complete request
 * body and no delivered response, so it is left out rather than skew the sizes.
 */
function recordBodySizes(
  ctx: MeterContext,
  series: RequestSeries,
  res: RawResponse,
  status: number,
): void {
  if (status === CLIENT_CLOSED_REQUEST) return
  const received = bodyBytesReceived(res)
  const sent = bodyBytesSent(res)
  if (received !== undefined) ctx.addSample(series.requestSize as SampleSeries, received)
  if (sent !== undefined) ctx.addSample(series.responseSize as SampleSeries, sent)
}

/** A lookup key for a tag object; not sanitised (that happens once, when the series is built). */
export function tagsKey(tags: Tags): string {
  let key = ''
  for (const name in tags) key += `${name}\u0001${tags[name]}\u0002`
  return key
}
