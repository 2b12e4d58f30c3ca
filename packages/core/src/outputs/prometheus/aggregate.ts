import { type ChangeMessage, readWireFamily } from './changes'
import type { Family, Labels, PrometheusSeries, PrometheusStore } from './store'

/** The label that tells processes apart on per-process gauges (`processMetrics`). */
export const WORKER_LABEL = 'worker'

/**
 * Adds workers' changes to cumulative totals. Counters and histograms only ever grow, so a
 * worker that restarts (a new source) adds to the totals instead of resetting them. Gauges are
 * each live worker's last value: summed across workers (active requests, your own gauges), or
 * one series per worker for `perSource` families (event-loop delay, heap); a worker's gauges
 * leave with it.
 */
export class Aggregate {
  /** Per source: the gauge series it contributes to, so its values can leave with it. */
  private readonly gaugesBySource = new Map<string, Set<PrometheusSeries>>()
  /** Per source: the per-source series it owns. */
  private readonly ownedBySource = new Map<string, Set<PrometheusSeries>>()
  /**
   * Per source: families it declared with another type or other buckets than the aggregator
   * holds (workers of two versions): their changes are refused, never added to the other kind.
   */
  private readonly conflictingBySource = new Map<string, Set<string>>()

  constructor(
    private readonly store: PrometheusStore,
    private readonly refuse: (reason: string) => void,
  ) {}

  apply(message: ChangeMessage): void {
    const src = String(message.src)
    for (const wireFamily of message.f ?? []) {
      const def = readWireFamily(wireFamily)
      if (typeof def === 'string') this.refuse(def)
      else if (this.store.family(def) === undefined) {
        let names = this.conflictingBySource.get(src)
        if (names === undefined) {
          names = new Set()
          this.conflictingBySource.set(src, names)
        }
        names.add(def.name)
      }
    }
    const conflicting = this.conflictingBySource.get(src)
    for (const entry of message.s) {
      if (!Array.isArray(entry) || entry.length < 3) continue
      const [name, labels] = entry
      if (conflicting?.has(name) === true) continue
      const family = this.store.families.get(name)
      if (family === undefined || !isLabels(labels)) {
        this.refuse(`a change for ${JSON.stringify(name)} with no family or bad labels`)
        continue
      }
      this.applySeries(family, labels, entry, src)
    }
  }

  /** A worker disconnected: its gauges no longer count. */
  sourceGone(src: string): void {
    for (const series of this.gaugesBySource.get(src) ?? []) {
      series.bySource?.delete(src)
      series.value = sumOf(series.bySource)
    }
    this.gaugesBySource.delete(src)
    for (const series of this.ownedBySource.get(src) ?? []) series.family.series.delete(series.key)
    this.ownedBySource.delete(src)
    this.conflictingBySource.delete(src)
  }

  private applySeries(
    family: Family,
    labels: Labels,
    entry: readonly unknown[],
    src: string,
  ): void {
    const payload = entry.slice(2)
    if (!payload.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      this.refuse(`a change for ${family.def.name} with values that are not finite numbers`)
      return
    }
    const values = payload as number[]
    const first = values[0] ?? 0
    switch (family.def.type) {
      case 'counter': {
        if (first < 0) {
          this.refuse(`a decrease of counter ${family.def.name}`)
          return
        }
        this.store.series(family, labels).value += first
        return
      }
      case 'gauge': {
        if (family.def.perSource === true) {
          const series = this.store.series(family, { ...labels, [WORKER_LABEL]: src })
          series.value = first
          remember(this.ownedBySource, src, series)
          return
        }
        const series = this.store.series(family, labels)
        series.bySource ??= new Map()
        series.bySource.set(src, first)
        series.value = sumOf(series.bySource)
        remember(this.gaugesBySource, src, series)
        return
      }
      case 'histogram': {
        const series = this.store.series(family, labels)
        const counts = series.counts
        if (counts === undefined || values.length !== counts.length + 2) {
          this.refuse(
            `a change for histogram ${family.def.name} with ${values.length - 2} buckets, not ${counts?.length}`,
          )
          return
        }
        series.count += first
        series.sum += values[1] ?? 0
        for (let i = 0; i < counts.length; i++) counts[i] = (counts[i] ?? 0) + (values[i + 2] ?? 0)
        return
      }
    }
  }
}

function isLabels(value: unknown): value is Labels {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  for (const [name, labelValue] of Object.entries(value)) {
    if (typeof labelValue !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return false
  }
  return true
}

function remember(
  index: Map<string, Set<PrometheusSeries>>,
  src: string,
  series: PrometheusSeries,
): void {
  let set = index.get(src)
  if (set === undefined) {
    set = new Set()
    index.set(src, set)
  }
  set.add(series)
}

function sumOf(values: Map<string, number> | undefined): number {
  let sum = 0
  for (const value of values?.values() ?? []) sum += value
  return sum
}
