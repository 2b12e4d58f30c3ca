import type { DatagramPacker } from '../outputs/statsd/datagram-packer'
import { formatValue, type SeriesWire, weightedRate } from '../outputs/statsd/wire-format'

/** One aggregated metric (name + tags) holding what was recorded since the last flush. */
export interface Series {
  /** Writes pending values as lines (and to its mirror) and resets. */
  drain(packer: DatagramPacker): void
}

/**
 * A series' counterpart in another output (a Prometheus series): fed with what the series
 * holds when it is drained — never on the request path — so every output sees the same values.
 */
export interface SeriesMirror {
  /** A counter's increase since the last drain. */
  add(amount: number): void
  /** A gauge's value now. */
  set(value: number): void
  /** `weight` observations of `value`: a weight above 1 stands for samples not kept. */
  observe(value: number, weight: number): void
}

/** Counters are exact sums: one line per flush, nothing when nothing was counted. */
export class CounterSeries implements Series {
  value = 0
  mirror: SeriesMirror | undefined = undefined

  constructor(private readonly wire: SeriesWire) {}

  drain(packer: DatagramPacker): void {
    if (this.value === 0) return
    this.mirror?.add(this.value)
    if (packer.emits) packer.line(`${this.wire.head}:${formatValue(this.value)}|c${this.wire.tail}`)
    this.value = 0
  }
}

export type SampleType = 'ms' | 'h' | 'd'

/**
 * Timers, histograms and distributions: every sample reaches the wire, one per line, or
 * packed (`name:1:2:3|ms`) for DogStatsD agents when asked.
 */
export class SampleSeries implements Series {
  samples: number[] = []
  mirror: SeriesMirror | undefined = undefined
  /** What a sample is multiplied by for the mirror: 0.001 turns milliseconds into seconds. */
  mirrorScale = 1
  /** Samples offered to the reservoir since the last drain (`maxSamplesPerFlush`). */
  private offered = 0

  constructor(
    private readonly wire: SeriesWire,
    private readonly type: SampleType,
    /** `sampleRate`: the fraction of samples that reach this series. */
    private readonly sampleRate: number,
    /** `|@0.5` when samples are kept at a rate below 1, else empty. */
    private readonly rateField: string,
    private readonly packValues: boolean,
  ) {}

  /**
   * Keeps `value` in a uniform sample of at most `size` of the values offered since the last
   * drain (Algorithm R): every value offered has the same chance, `size / offered`, to be sent.
   */
  offer(value: number, size: number): void {
    const offered = ++this.offered
    if (offered <= size) {
      this.samples.push(value)
      return
    }
    const slot = Math.floor(Math.random() * offered)
    if (slot < size) this.samples[slot] = value
  }

  drain(packer: DatagramPacker): void {
    const split = this.takeSplit()
    if (split === undefined) return
    if (this.mirror !== undefined) this.mirrorSplit(this.mirror, split)
    if (!packer.emits) return
    const { samples, weight, heavier, firstHeavier } = split
    if (weight === 1 && heavier === 0) {
      this.write(packer, samples, 0, samples.length, this.rateField)
      return
    }
    // Each line carries the rate of its own weight: backends that add 1 / rate per line (Etsy
    // statsd) and those that repeat a line int(1 / rate) times (statsd_exporter) both count
    // every value offered. The heavier samples are one run, cyclic from `firstHeavier`.
    const light = samples.length - heavier
    this.write(
      packer,
      samples,
      firstHeavier,
      heavier,
      `|@${weightedRate(weight + 1, this.sampleRate)}`,
    )
    this.write(
      packer,
      samples,
      (firstHeavier + heavier) % samples.length,
      light,
      `|@${weightedRate(weight, this.sampleRate)}`,
    )
  }

  /**
   * Takes the pending samples and their integer weights (how many of the values offered since
   * the last drain each stands for), and resets. Below the reservoir's bound every weight is 1.
   * Past it, `offered = q × kept + r`: `r` samples weigh `q + 1` and the rest `q`, so the weights
   * are whole numbers summing to `offered`; which samples weigh more is drawn at random, so every
   * value offered is counted with the same expected weight. `sampleRate` is not in the weight:
   * each weight still stands for `weight / sampleRate` requests.
   */
  private takeSplit(): WeightSplit | undefined {
    const samples = this.samples
    if (samples.length === 0) return undefined
    this.samples = []
    const offered = Math.max(this.offered, samples.length)
    this.offered = 0
    const weight = Math.floor(offered / samples.length)
    const heavier = offered - weight * samples.length
    const firstHeavier = heavier === 0 ? 0 : Math.floor(Math.random() * samples.length)
    return { samples, weight, heavier, firstHeavier }
  }

  /** Writes `count` samples from `from`, wrapping around the end, with one rate field. */
  private write(
    packer: DatagramPacker,
    samples: readonly number[],
    from: number,
    count: number,
    rateField: string,
  ): void {
    if (count === 0) return
    const { head, tail } = this.wire
    const end = `|${this.type}${rateField}${tail}`
    const length = samples.length
    if (!this.packValues) {
      for (let i = 0; i < count; i++) {
        packer.line(`${head}:${formatValue(samples[(from + i) % length] as number)}${end}`)
      }
      return
    }
    const room = packer.maxLineBytes - head.length - end.length
    let values = ''
    for (let i = 0; i < count; i++) {
      const value = `:${formatValue(samples[(from + i) % length] as number)}`
      if (values !== '' && values.length + value.length > room) {
        packer.line(`${head}${values}${end}`)
        values = ''
      }
      values += value
    }
    packer.line(`${head}${values}${end}`)
  }

  /**
   * Each kept sample goes to the mirror with the weight it carries on the wire (see
   * `takeSplit`), over `sampleRate`: the weights add up to the values recorded, so a
   * histogram's count stays the request count — in whole numbers, as long as nothing is sampled.
   */
  private mirrorSplit(mirror: SeriesMirror, split: WeightSplit): void {
    const { samples, weight, heavier, firstHeavier } = split
    const scale = this.mirrorScale
    const rate = this.sampleRate
    for (let i = 0; i < samples.length; i++) {
      const kept = isHeavier(i, firstHeavier, heavier, samples.length) ? weight + 1 : weight
      mirror.observe((samples[i] as number) * scale, kept / rate)
    }
  }
}

interface WeightSplit {
  readonly samples: readonly number[]
  /** What every sample weighs at least: floor(offered / kept). */
  readonly weight: number
  /** How many samples weigh `weight + 1`: offered mod kept. */
  readonly heavier: number
  /** Where the cyclic run of heavier samples starts. */
  readonly firstHeavier: number
}

function isHeavier(index: number, first: number, count: number, length: number): boolean {
  return (index - first + length) % length < count
}

/**
 * Gauges keep the last absolute value plus any deltas since. StatsD reads a leading sign as
 * a delta, so a negative absolute value is sent as `0` then the negative delta.
 */
export class GaugeSeries implements Series {
  private absolute: number | undefined
  private delta = 0
  private touched = false
  /** Follows every change at once: a gauge is a value now, not a sum over the interval. */
  mirror: SeriesMirror | undefined = undefined
  /** What the value is multiplied by for the mirror: 0.001 turns milliseconds into seconds. */
  mirrorScale = 1
  /** The mirror's value, kept apart from the StatsD state, which resets at each drain. */
  private mirrored = 0

  constructor(private readonly wire: SeriesWire) {}

  set(value: number): void {
    this.absolute = value
    this.delta = 0
    this.touched = true
    if (this.mirror !== undefined) {
      this.mirrored = value
      this.mirror.set(value * this.mirrorScale)
    }
  }

  add(delta: number): void {
    this.delta += delta
    this.touched = true
    if (this.mirror !== undefined) {
      this.mirrored += delta
      this.mirror.set(this.mirrored * this.mirrorScale)
    }
  }

  drain(packer: DatagramPacker): void {
    if (!this.touched) return
    if (!packer.emits) {
      this.absolute = undefined
      this.delta = 0
      this.touched = false
      return
    }
    const { head, tail } = this.wire
    if (this.absolute !== undefined) {
      const value = this.absolute + this.delta
      if (value < 0) packer.line(`${head}:0|g${tail}`)
      packer.line(`${head}:${formatValue(value)}|g${tail}`)
      // The daemon now holds this value; later deltas apply on top of it.
      this.absolute = undefined
      this.delta = 0
    } else {
      // Every delta carries its sign. One that rounds to zero (+0.3 -0.1 -0.2 is 5.6e-17) is
      // not sent: unsigned, `name:0|g` would set the gauge to an absolute 0. What rounding
      // leaves out stays here and goes out with the next delta.
      const magnitude = formatValue(Math.abs(this.delta))
      if (magnitude !== '0') {
        const positive = this.delta > 0
        packer.line(`${head}:${positive ? '+' : '-'}${magnitude}|g${tail}`)
        this.delta -= positive ? Number(magnitude) : -Number(magnitude)
      }
    }
    this.touched = false
  }
}

/** Sets send each unique member once per flush. */
export class SetSeries implements Series {
  readonly members = new Set<string>()

  constructor(private readonly wire: SeriesWire) {}

  drain(packer: DatagramPacker): void {
    if (this.members.size === 0) return
    if (packer.emits)
      for (const member of this.members)
        packer.line(`${this.wire.head}:${member}|s${this.wire.tail}`)
    this.members.clear()
  }
}

/**
 * A request series: the counter and the latency timer of one route × method × status (× the
 * variant), and with `bodySizes` the request and response body sizes.
 */
export class RequestSeries implements Series {
  /**
   * Counted on every request, also where the naming sends no counter: the hot path stays one
   * shape, and such a counter is only reset at a flush.
   */
  readonly count: CounterSeries
  private readonly sendsCount: boolean

  constructor(
    /** The counter's wire halves; `undefined` when the naming has no request counter (`otel`). */
    countWire: SeriesWire | undefined,
    readonly duration: SampleSeries,
    /** True for the overflow bucket's series, so recordings landing there are counted. */
    readonly overflow: boolean,
    /** Request body bytes; `undefined` unless `bodySizes` is on. */
    readonly requestSize: SampleSeries | undefined = undefined,
    /** Response body bytes; `undefined` unless `bodySizes` is on. */
    readonly responseSize: SampleSeries | undefined = undefined,
  ) {
    this.sendsCount = countWire !== undefined
    this.count = new CounterSeries(countWire ?? NO_WIRE)
  }

  drain(packer: DatagramPacker): void {
    if (this.sendsCount) this.count.drain(packer)
    else this.count.value = 0
    this.duration.drain(packer)
    this.requestSize?.drain(packer)
    this.responseSize?.drain(packer)
  }
}

const NO_WIRE: SeriesWire = { head: '', tail: '' }
