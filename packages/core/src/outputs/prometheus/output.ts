import type { MetricId } from '../../config/custom-naming'
import type { FaultLog } from '../../config/fault-log'
import type { Tags } from '../../config/option-types'
import type { ResolvedPrometheusOptions } from '../../config/prometheus-options'
import { Exposition, type Scrape } from './exposition'
import { registerFamilies } from './families'
import { Forwarder } from './forwarder'
import { prometheusLabelName, prometheusMetricName, withSuffix } from './names'
import { newRegistry } from './registry'
import { ScrapeServer } from './scrape-server'
import {
  type FamilyDef,
  type FamilyType,
  type Labels,
  type PrometheusSeries,
  PrometheusStore,
} from './store'

/** What kind of value a routemeter metric holds, which decides its Prometheus type and unit. */
export type MirrorKind = 'counter' | 'duration' | 'size' | 'values' | 'gauge' | 'process-gauge'

const HELP = new Map<string, string>([
  ['http_server_requests_total', 'HTTP requests served, by route template, method and status.'],
  ['http_server_duration_seconds', 'HTTP request duration, by route template, method and status.'],
  [
    'http_server_request_duration_seconds',
    'Duration of HTTP server requests (OpenTelemetry semantic conventions).',
  ],
  ['http_server_active_requests', 'HTTP requests being served now.'],
  ['http_server_request_bytes', 'HTTP request body sizes, in bytes received.'],
  ['http_server_response_bytes', 'HTTP response body sizes, in bytes sent.'],
  [
    'http_server_request_body_size_bytes',
    'Size of HTTP server request bodies (OpenTelemetry semantic conventions).',
  ],
  [
    'http_server_response_body_size_bytes',
    'Size of HTTP server response bodies (OpenTelemetry semantic conventions).',
  ],
])

const SUFFIX: Record<MirrorKind, string> = {
  counter: '_total',
  duration: '_seconds',
  size: '_bytes',
  values: '',
  gauge: '',
  'process-gauge': '',
}

const TYPE: Record<MirrorKind, FamilyType> = {
  counter: 'counter',
  duration: 'histogram',
  size: 'histogram',
  values: 'histogram',
  gauge: 'gauge',
  'process-gauge': 'gauge',
}

/**
 * The meter's Prometheus output: each aggregated series gets a Prometheus series beside it,
 * made once when the series is, and fed when the series is drained (flush) — the request path
 * does not change. One process serves its totals itself (its own port, or a framework route);
 * a worker of several hands its changes to the aggregator after each flush instead.
 */
export class PrometheusOutput {
  readonly store: PrometheusStore
  /** Serves scrapes; `undefined` on a worker that forwards to an aggregator. */
  readonly exposition: Exposition | undefined
  private readonly forwarder: Forwarder | undefined
  private readonly server: ScrapeServer | undefined
  private readonly defs = new Map<string, FamilyDef>()
  private readonly constantLabels: Labels
  /** Resolves with the port the scrape server listens on (`undefined` without one). */
  readonly listening: Promise<number | undefined>

  constructor(
    private readonly options: ResolvedPrometheusOptions,
    globalTags: Tags,
    maxQueueBytes: number,
    faults: FaultLog,
    /** A flush of the meter: a scrape of a single process first takes in what is pending. */
    flush: () => void,
  ) {
    const refuse = (reason: string): void => faults.report('prometheus', reason)
    this.constantLabels = toLabels(globalTags, {})
    if (options.aggregator !== undefined) {
      this.store = new PrometheusStore(true, refuse)
      this.forwarder = new Forwarder(
        options.aggregator,
        this.store,
        String(process.pid),
        maxQueueBytes,
        faults,
      )
      this.listening = Promise.resolve(undefined)
      return
    }
    this.store = new PrometheusStore(false, refuse)
    const registry = options.registry ?? newRegistry()
    registerFamilies(this.store, registry, refuse)
    this.exposition = new Exposition(registry, flush)
    if (options.port === null) {
      this.listening = Promise.resolve(undefined)
      return
    }
    const server = new ScrapeServer(this.exposition)
    this.server = server
    server.unref()
    this.listening = server
      .listen(options.port, options.host)
      .catch((error: NodeJS.ErrnoException) => {
        faults.report(
          'prometheus-listen',
          `cannot serve /metrics on ${options.host}:${options.port} (${error.code ?? error.message}); set prometheus.port (OTEL_EXPORTER_PROMETHEUS_PORT) to a free port, or null to serve it through your framework's route`,
        )
        return undefined
      })
  }

  /**
   * The Prometheus series mirroring a routemeter metric named `id` (its dotted name and tags),
   * or `undefined` when it cannot be exported (reported once).
   */
  series(kind: MirrorKind, id: MetricId, extraTags?: Tags): PrometheusSeries | undefined {
    const def = this.familyDef(kind, id.name)
    const family = this.store.family(def)
    if (family === undefined) return undefined
    const labels = toLabels(
      extraTags === undefined ? id.tags : { ...extraTags, ...id.tags },
      this.constantLabels,
    )
    return this.store.series(family, labels)
  }

  /** After each flush: a worker sends what changed. */
  flushed(): void {
    this.forwarder?.send()
  }

  scrape(accept: string | undefined): Promise<Scrape> {
    if (this.exposition === undefined)
      return Promise.reject(
        new Error(
          `this process forwards its metrics to the aggregator at ${this.options.aggregator}: scrape the aggregator, which holds every worker's totals`,
        ),
      )
    return this.exposition.scrape(accept)
  }

  async close(timeoutMs: number): Promise<void> {
    await Promise.all([this.forwarder?.close(timeoutMs), this.server?.close()])
  }

  private familyDef(kind: MirrorKind, dottedName: string): FamilyDef {
    const key = `${kind}|${dottedName}`
    let def = this.defs.get(key)
    if (def !== undefined) return def
    const name = withSuffix(prometheusMetricName(dottedName), SUFFIX[kind])
    const type = TYPE[kind]
    def = {
      name,
      type,
      help:
        HELP.get(name) ?? `routemeter ${kind === 'process-gauge' ? 'gauge' : kind} ${dottedName}`,
      ...(type === 'histogram'
        ? { buckets: kind === 'duration' ? this.options.durationBuckets : this.options.sizeBuckets }
        : {}),
      ...(kind === 'process-gauge' ? { perSource: true } : {}),
    }
    this.defs.set(key, def)
    return def
  }
}

/** Tags as Prometheus labels: names made valid, values as text; `base` labels come last. */
function toLabels(tags: Tags | undefined, base: Labels): Labels {
  const labels: Record<string, string> = {}
  if (tags !== undefined)
    for (const key in tags) labels[prometheusLabelName(key)] = String(tags[key])
  for (const [key, value] of Object.entries(base)) if (!(key in labels)) labels[key] = value
  return Object.freeze(labels)
}
