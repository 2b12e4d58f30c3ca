/** One StatsD line, parsed back: DogStatsD (`|#k:v`) and Telegraf (`name,k=v`) tags both read. */
export interface ParsedSample {
  readonly name: string
  /** One value, or several for DogStatsD packed lines (`name:1:2:3|ms`). */
  readonly values: readonly string[]
  readonly type: string
  readonly sampleRate: number
  readonly tags: Readonly<Record<string, string>>
  readonly line: string
}

export function parseStatsdLine(line: string): ParsedSample {
  const tagStart = line.indexOf('|#')
  const main = tagStart === -1 ? line : line.slice(0, tagStart)
  const tags: Record<string, string> = {}
  if (tagStart !== -1) {
    for (const tag of line.slice(tagStart + 2).split(',')) {
      const colon = tag.indexOf(':')
      if (colon === -1) tags[tag] = ''
      else tags[tag.slice(0, colon)] = tag.slice(colon + 1)
    }
  }
  const fields = main.split('|')
  const nameAndValues = fields[0] ?? ''
  const colon = nameAndValues.indexOf(':')
  let name = colon === -1 ? nameAndValues : nameAndValues.slice(0, colon)
  const values = colon === -1 ? [] : nameAndValues.slice(colon + 1).split(':')
  const comma = name.indexOf(',')
  if (comma !== -1) {
    for (const tag of name.slice(comma + 1).split(',')) {
      const eq = tag.indexOf('=')
      if (eq === -1) tags[tag] = ''
      else tags[tag.slice(0, eq)] = tag.slice(eq + 1)
    }
    name = name.slice(0, comma)
  }
  const rateField = fields[2]
  const sampleRate = rateField?.startsWith('@') ? Number(rateField.slice(1)) : 1
  return { name, values, type: fields[1] ?? '', sampleRate, tags, line }
}

/** Queries over received lines, shared by the in-memory capture and the network receivers. */
export abstract class StatsdLines {
  /** Every line received so far, in order. */
  abstract lines(): string[]

  samples(): ParsedSample[] {
    return this.lines().map(parseStatsdLine)
  }

  /** Samples named `name` whose tags include every given tag. */
  find(name: string, tags: Readonly<Record<string, string>> = {}): ParsedSample[] {
    return this.samples().filter((sample) => sample.name === name && hasTags(sample, tags))
  }

  /** Sum of all counter values for `name` (and tags), as a StatsD daemon would count them. */
  counter(name: string, tags?: Readonly<Record<string, string>>): number {
    let total = 0
    for (const sample of this.find(name, tags)) {
      if (sample.type !== 'c') continue
      for (const value of sample.values) total += Number(value) / sample.sampleRate
    }
    return total
  }

  /** Every timer/histogram/distribution value recorded for `name` (and tags). */
  timings(name: string, tags?: Readonly<Record<string, string>>): number[] {
    const values: number[] = []
    for (const sample of this.find(name, tags)) {
      if (sample.type === 'ms' || sample.type === 'h' || sample.type === 'd') {
        for (const value of sample.values) values.push(Number(value))
      }
    }
    return values
  }

  /** The last value a gauge was set to, applying `+`/`-` deltas as StatsD does. */
  gauge(name: string, tags?: Readonly<Record<string, string>>): number | undefined {
    let current: number | undefined
    for (const sample of this.find(name, tags)) {
      if (sample.type !== 'g') continue
      const text = sample.values[0] ?? ''
      const value = Number(text)
      current =
        (text.startsWith('+') || text.startsWith('-')) && current !== undefined
          ? current + value
          : value
    }
    return current
  }

  /** Unique members seen for a set. */
  setMembers(name: string, tags?: Readonly<Record<string, string>>): Set<string> {
    const members = new Set<string>()
    for (const sample of this.find(name, tags))
      if (sample.type === 's') members.add(sample.values[0] ?? '')
    return members
  }
}

function hasTags(sample: ParsedSample, tags: Readonly<Record<string, string>>): boolean {
  for (const key of Object.keys(tags)) if (sample.tags[key] !== tags[key]) return false
  return true
}
