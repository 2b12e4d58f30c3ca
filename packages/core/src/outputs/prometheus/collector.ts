import type { Family, Labels, PrometheusSeries } from './store'

/**
 * What prom-client's `Registry` reads from a metric: routemeter's families are registered in
 * a registry (the user's, or one of routemeter's own) as objects of this shape, so
 * `registry.metrics()` exposes them beside the user's metrics and `collectDefaultMetrics()`.
 */
interface MetricValue {
  readonly value: number
  readonly labels: Labels
  /** Labels shared by every value of one series; prom-client caches their text per object. */
  readonly sharedLabels?: Labels
  readonly metricName?: string
}

interface MetricSnapshot {
  readonly name: string
  readonly help: string
  readonly type: string
  readonly values: MetricValue[]
  readonly aggregator: 'sum'
}

const NO_LABELS: Labels = Object.freeze({})

/**
 * One family as a prom-client metric. prom-client names a counter's samples differently per
 * format: in OpenMetrics it strips `_total` from the family (by assigning `name`, counters
 * only, just before reading them) and appends `_total` to every sample; in the text format
 * both keep the name as given. The `name` setter notes that assignment, so the next read gives
 * the layout of the format being written, and a registry can switch formats scrape by scrape.
 */
export class FamilyMetric {
  readonly type: string
  readonly help: string
  readonly aggregator = 'sum' as const
  private openMetricsRead = false
  /** `{ le: "0.005" }` … `{ le: "+Inf" }`, made once so a scrape allocates no label objects. */
  private readonly bucketLabels: readonly Labels[]

  constructor(private readonly family: Family) {
    this.type = family.def.type
    this.help = family.def.help
    this.bucketLabels = [...family.bounds.map(String), '+Inf'].map((le) => Object.freeze({ le }))
  }

  get name(): string {
    return this.family.def.name
  }

  set name(_assigned: string) {
    this.openMetricsRead = true
  }

  get(): MetricSnapshot {
    const openMetrics = this.openMetricsRead
    this.openMetricsRead = false
    const name = this.family.def.name
    const values: MetricValue[] = []
    if (this.type === 'histogram') {
      for (const series of this.family.series.values()) this.histogramValues(series, name, values)
    } else {
      // OpenMetrics: prom-client appends `_total` to each sample itself.
      const sampleName = openMetrics ? name.replace(/_total$/, '') : name
      for (const series of this.family.series.values())
        values.push({
          value: series.value,
          labels: NO_LABELS,
          sharedLabels: series.labels,
          metricName: sampleName,
        })
    }
    return {
      name: openMetrics ? name.replace(/_total$/, '') : name,
      help: this.help,
      type: this.type,
      values,
      aggregator: 'sum',
    }
  }

  /** Totals are cumulative by definition: `registry.resetMetrics()` leaves them alone. */
  reset(): void {}

  private histogramValues(series: PrometheusSeries, name: string, values: MetricValue[]): void {
    const counts = series.counts
    if (counts === undefined) return
    const shared = series.labels
    let cumulative = 0
    const bucketName = `${name}_bucket`
    counts.forEach((count, i) => {
      cumulative += count
      values.push({
        value: cumulative,
        labels: this.bucketLabels[i] ?? NO_LABELS,
        sharedLabels: shared,
        metricName: bucketName,
      })
    })
    values.push({
      value: series.sum,
      labels: NO_LABELS,
      sharedLabels: shared,
      metricName: `${name}_sum`,
    })
    values.push({
      value: series.count,
      labels: NO_LABELS,
      sharedLabels: shared,
      metricName: `${name}_count`,
    })
  }
}
