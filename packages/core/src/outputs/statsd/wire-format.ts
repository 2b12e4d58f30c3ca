import type { Tags } from '../../config/option-types'
import {
  sanitizeName,
  sanitizeTagKey,
  sanitizeTagValue,
  type TagFormat,
} from '../../config/sanitize'

/**
 * The two constant halves of every line of one series, computed once when the series is
 * created: a line is `head + ':' + value + '|' + type + tail`. DogStatsD tags go last
 * (`|#k:v`), after the sample rate, because the Etsy daemon folds anything after `|#` into
 * the tags; Telegraf tags go into the name (`name,k=v`).
 */
export interface SeriesWire {
  readonly head: string
  readonly tail: string
}

export class WireFormat {
  private readonly globalTags: ReadonlyArray<readonly [string, string]>

  constructor(
    private readonly prefix: string | null,
    private readonly tagFormat: TagFormat,
    globalTags: Tags,
  ) {
    this.globalTags = this.sanitizeTags(globalTags)
  }

  /** Builds the wire halves for a metric name and its tags (global tags merged, given ones win). */
  series(name: string, tags?: Tags): SeriesWire {
    const fullName = sanitizeName(this.prefix === null ? name : `${this.prefix}.${name}`)
    const merged = new Map<string, string>(this.globalTags)
    if (tags !== undefined)
      for (const [key, value] of this.sanitizeTags(tags)) merged.set(key, value)
    if (merged.size === 0) return { head: fullName, tail: '' }
    if (this.tagFormat === 'telegraf') {
      let head = fullName
      for (const [key, value] of merged) head += `,${key}=${value}`
      return { head, tail: '' }
    }
    let tail = '|#'
    let first = true
    for (const [key, value] of merged) {
      tail += first ? `${key}:${value}` : `,${key}:${value}`
      first = false
    }
    return { head: fullName, tail }
  }

  private sanitizeTags(tags: Tags): Array<[string, string]> {
    const out: Array<[string, string]> = []
    for (const key of Object.keys(tags)) {
      const value = tags[key]
      if (value === undefined) continue
      out.push([sanitizeTagKey(key), sanitizeTagValue(value, this.tagFormat)])
    }
    return out
  }
}

/**
 * Decimal fractions `.001` … `.999` with trailing zeros trimmed (`.5`, `.25`): formatting a
 * sample becomes integer-to-string plus a table lookup, several times cheaper than V8's
 * double-to-string, on the one loop that runs once per recorded sample.
 */
const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, thousandths) =>
  thousandths === 0 ? '' : `.${String(thousandths).padStart(3, '0').replace(/0+$/, '')}`,
)
/** Beyond this, integer math on thousandths would lose precision; V8 formats those itself. */
const MAX_FAST = 2 ** 40

/** Numbers as StatsD reads them: integers as is, fractions to three decimals (µs for ms timers). */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value)
  const magnitude = value < 0 ? -value : value
  if (magnitude >= MAX_FAST) return String(Math.round(value * 1000) / 1000)
  const thousandths = Math.round(magnitude * 1000)
  const whole = Math.floor(thousandths / 1000)
  const text = `${whole}${FRACTIONS[thousandths - whole * 1000]}`
  return value < 0 && thousandths !== 0 ? `-${text}` : text
}

/**
 * A sample rate as a plain decimal: `String(1e-7)` is `1e-7`, which the Etsy daemon's parser
 * reads as rate 1. Rates are in (0, 1], so only small ones need the long form.
 */
export function formatSampleRate(rate: number): string {
  const text = String(rate)
  const exponent = text.indexOf('e-')
  if (exponent === -1) return text
  const mantissa = text.slice(0, exponent)
  const point = mantissa.indexOf('.')
  const mantissaDecimals = point === -1 ? 0 : mantissa.length - point - 1
  return rate.toFixed(Math.min(100, Number(text.slice(exponent + 2)) + mantissaDecimals))
}

/**
 * The `|@rate` of a sample that stands for `weight` values, `sampleRate` being the fraction of
 * values kept before it. Backends read the rate back two ways: Etsy statsd adds `1 / rate` per
 * line, statsd_exporter repeats the line `int(1 / rate)` times. `sampleRate / weight` parsed
 * and inverted can land a hair below the weight (for some integers n, 1 / (1 / n) < n in
 * doubles), which the exporter truncates to n − 1; so the rate is the nearest double whose
 * inverse is exactly `weight / sampleRate`, else the nearest one whose inverse is not below it.
 * The text is the shortest that parses back to that double, so no rounding is added on top.
 */
export function weightedRate(weight: number, sampleRate: number): string {
  const target = weight / sampleRate
  const nearest = sampleRate / weight
  for (const candidate of [nearest, adjacentDouble(nearest, -1), adjacentDouble(nearest, 1)]) {
    if (1 / candidate === target) return formatSampleRate(candidate)
  }
  let rate = nearest
  while (1 / rate < target) rate = adjacentDouble(rate, -1)
  return formatSampleRate(rate)
}

const doubleBits = new DataView(new ArrayBuffer(8))

/** The next positive double above (`1`) or below (`-1`) a positive, finite `value`. */
function adjacentDouble(value: number, direction: 1 | -1): number {
  doubleBits.setFloat64(0, value)
  doubleBits.setBigUint64(0, doubleBits.getBigUint64(0) + BigInt(direction))
  return doubleBits.getFloat64(0)
}
