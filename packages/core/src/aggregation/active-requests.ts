import type { KnownMethods } from '../config/http-method'
import { rawRequestOf, schemeOf } from '../request/request-variants'
import type { RawResponse } from '../request/response-end'
import type { GaugeSeries } from './series'

/** Where a response keeps the bucket its request was counted in while in flight. */
const kBucket = Symbol('routemeter.activeRequestsBucket')

type Tagged = { [kBucket]?: number }

/** Schemes by index in a bucket; the last one is "not known" (no Node response). */
const SCHEMES = ['http', 'https', undefined] as const

/**
 * In-flight requests per method × scheme (`http.server.active_requests` under `otel` naming),
 * sent as one gauge each on every flush. A request is counted down in the bucket it was counted
 * up in, kept on its response: an app may rewrite `req.method` meanwhile (method-override), and
 * reading it again at the end would move a count from one gauge to another for good.
 */
export class ActiveRequestsByAttributes {
  private readonly counts: Float64Array
  /** 1 for every bucket a request was ever counted in: those gauges are sent on each flush. */
  private readonly used: Uint8Array
  private readonly gauges: Array<GaugeSeries | undefined> = []

  constructor(
    private readonly methods: KnownMethods,
    /** Creates the gauge of one method and scheme; `undefined` ones for requests without a response. */
    private readonly gauge: (method: string | undefined, scheme: string | undefined) => GaugeSeries,
  ) {
    this.unknownBucket = methods.stride * SCHEMES.length
    this.counts = new Float64Array(this.unknownBucket + 1)
    this.used = new Uint8Array(this.unknownBucket + 1)
  }

  /**
   * The bucket of requests that came without a Node response (Hono on Bun, Deno, workers; the
   * meter's API called directly): their method and scheme are not known when they start.
   */
  private readonly unknownBucket: number

  started(res: RawResponse | undefined): void {
    const bucket = this.bucketOf(res)
    if (res !== undefined) (res as Tagged)[kBucket] = bucket
    this.counts[bucket] = (this.counts[bucket] as number) + 1
    this.used[bucket] = 1
  }

  ended(res: RawResponse | undefined): void {
    const bucket = (res as Tagged | undefined)?.[kBucket] ?? this.unknownBucket
    this.counts[bucket] = (this.counts[bucket] as number) - 1
  }

  /** The scheme `res`'s request was counted under when it started, if it was. */
  schemeAtStart(res: RawResponse | undefined): string | undefined {
    const bucket = (res as Tagged | undefined)?.[kBucket]
    if (bucket === undefined || bucket === this.unknownBucket) return undefined
    return SCHEMES[bucket % SCHEMES.length]
  }

  /** Sets every gauge a request was ever counted in (to 0 when none is in flight now). */
  sample(): void {
    const { counts, used } = this
    for (let bucket = 0; bucket < counts.length; bucket++) {
      if (used[bucket] === 0) continue
      let gauge = this.gauges[bucket]
      if (gauge === undefined) {
        gauge = this.createGauge(bucket)
        this.gauges[bucket] = gauge
      }
      gauge.set(counts[bucket] as number)
    }
  }

  private bucketOf(res: RawResponse | undefined): number {
    const raw = rawRequestOf(res)
    if (raw === undefined) return this.unknownBucket
    const scheme = schemeOf(raw) === 'https' ? 1 : 0
    return this.methods.index(String(raw.method)) * SCHEMES.length + scheme
  }

  private createGauge(bucket: number): GaugeSeries {
    if (bucket === this.unknownBucket) return this.gauge(undefined, undefined)
    const method = this.methods.name(Math.floor(bucket / SCHEMES.length))
    return this.gauge(method, SCHEMES[bucket % SCHEMES.length])
  }
}
