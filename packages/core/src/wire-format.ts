import type { Tags } from './options'
import { sanitizeName, sanitizeTagKey, sanitizeTagValue, type TagFormat } from './sanitize'

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

/** Numbers as StatsD reads them: integers as is, fractions to three decimals (µs for ms timers). */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value)
  const rounded = Math.round(value * 1000) / 1000
  return String(rounded)
}
