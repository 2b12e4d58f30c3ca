/**
 * Prometheus state: metric families and their series, as cumulative totals (what a scrape
 * reads) or as the changes since they were last taken (what a worker hands an aggregator).
 * Written at flush time and when an aggregator applies a worker's changes; never per request.
 */

export type FamilyType = 'counter' | 'gauge' | 'histogram'

/** Label values by label name, in the order they are exposed. */
export type Labels = Readonly<Record<string, string>>

export interface FamilyDef {
  /** The exposed name, suffix included (`http_server_requests_total`, `…_seconds`). */
  readonly name: string
  readonly type: FamilyType
  readonly help: string
  /** Histogram bucket upper bounds, ascending, without `+Inf`. */
  readonly buckets?: readonly number[]
  /**
   * Gauges only: across processes, one series per process (a `worker` label) rather than their
   * sum — right for event-loop delay or heap size, where a sum means nothing.
   */
  readonly perSource?: boolean
}

/** One family's series: a counter, a gauge or a histogram, with its labels. */
export class PrometheusSeries {
  /** Counter total (or its change since last taken), or gauge value. */
  value = 0
  /** Histogram: observations per bucket, not cumulative; the last one is `+Inf`. */
  readonly counts: Float64Array | undefined
  count = 0
  sum = 0
  /** Changed since the changes were last taken (only where the store tracks changes). */
  touched = false
  /** Aggregator gauges summed over processes: each live process's last value. */
  bySource: Map<string, number> | undefined

  constructor(
    readonly family: Family,
    readonly key: string,
    readonly labels: Labels,
  ) {
    const buckets = family.def.buckets
    this.counts =
      family.def.type === 'histogram' ? new Float64Array((buckets?.length ?? 0) + 1) : undefined
  }

  add(amount: number): void {
    if (amount < 0 && this.family.def.type === 'counter') {
      this.family.store.refuse(
        `counter ${this.family.def.name} was decremented: a Prometheus counter only goes up, so its decrements are left out (use a gauge)`,
      )
      return
    }
    this.value += amount
    this.family.store.changed(this)
  }

  set(value: number): void {
    this.value = value
    this.family.store.changed(this)
  }

  /** Adds `weight` observations of `value` (a weight above 1 stands for samples not kept). */
  observe(value: number, weight: number): void {
    const counts = this.counts
    if (counts === undefined) return
    const bounds = this.family.bounds
    let bucket = 0
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++
    counts[bucket] = (counts[bucket] as number) + weight
    this.count += weight
    this.sum += value * weight
    this.family.store.changed(this)
  }
}

export class Family {
  readonly series = new Map<string, PrometheusSeries>()
  /** Bucket bounds as numbers (empty for counters and gauges). */
  readonly bounds: readonly number[]

  constructor(
    readonly store: PrometheusStore,
    readonly def: FamilyDef,
  ) {
    this.bounds = def.buckets ?? []
  }
}

/** Why `def` cannot join the family already registered under its name; `undefined` if it can. */
export function familyConflict(existing: FamilyDef, def: FamilyDef): string | undefined {
  if (existing.type !== def.type)
    return `"${def.name}" is already a ${existing.type}; a ${def.type} of that name is not exported`
  if (def.type === 'histogram' && !sameBuckets(existing.buckets, def.buckets))
    return `"${def.name}" already has buckets [${existing.buckets?.join(', ')}]; observations with buckets [${def.buckets?.join(', ')}] are not exported`
  return undefined
}

function sameBuckets(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.length === b.length && a.every((bound, i) => bound === b[i])
}

/** The key of a label set within its family: values in label order, unambiguously joined. */
export function labelsKey(labels: Labels): string {
  let key = ''
  for (const name in labels) key += `${name}\u0000${labels[name]}\u0001`
  return key
}

export class PrometheusStore {
  readonly families = new Map<string, Family>()
  /** Series changed since {@link takeChanged}; kept only when the store tracks changes. */
  private pending: PrometheusSeries[] = []
  /** Families created since {@link takeNewFamilies}, in creation order. */
  private newFamilies: Family[] = []
  /** Told of each family as it is created (the exposition registers it). */
  onFamily: ((family: Family) => void) | undefined

  constructor(
    /** True on a worker that hands its changes on; false where the totals are served. */
    private readonly tracksChanges: boolean,
    /** Told of what it cannot export (a second type or other buckets under one name, a decrement). */
    readonly refuse: (reason: string) => void,
  ) {}

  /** The family `def` names, created on first use; `undefined` when it conflicts with one held. */
  family(def: FamilyDef): Family | undefined {
    const found = this.families.get(def.name)
    if (found !== undefined) {
      if (found.def === def) return found
      const conflict = familyConflict(found.def, def)
      if (conflict === undefined) return found
      this.refuse(conflict)
      return undefined
    }
    const family = new Family(this, def)
    this.families.set(def.name, family)
    if (this.tracksChanges) this.newFamilies.push(family)
    this.onFamily?.(family)
    return family
  }

  /** The series of `family` with these labels, created on first use. */
  series(family: Family, labels: Labels): PrometheusSeries {
    const key = labelsKey(labels)
    let series = family.series.get(key)
    if (series === undefined) {
      series = new PrometheusSeries(family, key, labels)
      family.series.set(key, series)
    }
    return series
  }

  changed(series: PrometheusSeries): void {
    if (!this.tracksChanges || series.touched) return
    series.touched = true
    this.pending.push(series)
  }

  /** The series changed since the last call; the caller reads and resets them. */
  takeChanged(): PrometheusSeries[] {
    const changed = this.pending
    this.pending = []
    for (const series of changed) series.touched = false
    return changed
  }

  takeNewFamilies(): Family[] {
    const created = this.newFamilies
    this.newFamilies = []
    return created
  }
}
