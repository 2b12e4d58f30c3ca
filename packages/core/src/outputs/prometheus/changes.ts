import type { Family, FamilyDef, FamilyType, Labels, PrometheusSeries } from './store'

/**
 * What a worker hands the aggregator after a flush, one JSON line per message: the families it
 * introduces (`f`) and each changed series (`s`) as `[family, labels, ...payload]`, where the
 * payload is a counter's increase, a gauge's value, or a histogram's count, sum and bucket
 * counts (not cumulative) since the last message.
 */
export interface ChangeMessage {
  /** The sending process, stable for its life: its gauges are kept apart and dropped with it. */
  readonly src: string
  readonly f?: WireFamily[]
  readonly s: WireSeries[]
}

export type WireFamily = [
  name: string,
  type: FamilyType,
  help: string,
  buckets: number[] | null,
  perSource: boolean,
]
export type WireSeries = [family: string, labels: Labels, ...payload: number[]]

export function wireFamily(family: Family): WireFamily {
  const def = family.def
  return [
    def.name,
    def.type,
    def.help,
    def.buckets === undefined ? null : [...def.buckets],
    def.perSource === true,
  ]
}

/** Reads a series' change for the wire and resets what is counted from zero each time. */
export function takeSeriesChange(series: PrometheusSeries): WireSeries {
  const name = series.family.def.name
  switch (series.family.def.type) {
    case 'counter': {
      const increase = series.value
      series.value = 0
      return [name, series.labels, increase]
    }
    case 'gauge':
      return [name, series.labels, series.value]
    case 'histogram': {
      const counts = series.counts ?? new Float64Array(0)
      const change: WireSeries = [name, series.labels, series.count, series.sum, ...counts]
      counts.fill(0)
      series.count = 0
      series.sum = 0
      return change
    }
  }
}

const FAMILY_TYPES = new Set<unknown>(['counter', 'gauge', 'histogram'])

/** A family as received, or why it is not one: the aggregator trusts no sender's shape. */
export function readWireFamily(value: unknown): FamilyDef | string {
  if (!Array.isArray(value) || value.length !== 5)
    return 'a family is not [name, type, help, buckets, perSource]'
  const [name, type, help, buckets, perSource] = value as unknown[]
  if (typeof name !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name))
    return `family name ${JSON.stringify(name)} is not a Prometheus name`
  if (!FAMILY_TYPES.has(type)) return `family ${name} has type ${JSON.stringify(type)}`
  if (typeof help !== 'string') return `family ${name} has no help text`
  if (type === 'histogram') {
    if (
      !Array.isArray(buckets) ||
      !buckets.every(
        (b, i) =>
          typeof b === 'number' &&
          Number.isFinite(b) &&
          (i === 0 || b > (buckets[i - 1] as number)),
      )
    )
      return `family ${name} has buckets ${JSON.stringify(buckets)}`
  }
  return {
    name,
    type: type as FamilyType,
    help,
    ...(type === 'histogram' ? { buckets: buckets as number[] } : {}),
    ...(perSource === true ? { perSource: true } : {}),
  }
}
