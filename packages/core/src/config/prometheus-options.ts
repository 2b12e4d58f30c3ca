import cluster from 'node:cluster'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { RoutemeterOptionError } from './errors'

/**
 * The part of prom-client's `Registry` routemeter uses. Declared here rather than imported so
 * that routemeter's types need no prom-client for StatsD-only users; prom-client's own
 * `Registry` (v15) fits it.
 */
export interface PrometheusRegistry {
  readonly contentType: string
  setContentType(contentType: string): void
  registerMetric(metric: never): void
  getMetricsAsArray(): ReadonlyArray<{ name: string; type?: unknown }>
  metrics(): Promise<string>
}

/** `prometheus` option: how routemeter serves Prometheus. */
export interface PrometheusOptions {
  /**
   * Port of routemeter's own `/metrics` listener (`node:http`, apart from your app's port).
   * Env `OTEL_EXPORTER_PROMETHEUS_PORT`. Default `9464`; `null` when `route` is given: no
   * listener of its own.
   */
  port?: number | null
  /** Host the listener binds. Env `OTEL_EXPORTER_PROMETHEUS_HOST`. Default `localhost`. */
  host?: string
  /** A path on your app's own port where the adapter answers scrapes (`/metrics`). Default: none. */
  route?: string
  /** A prom-client registry to expose routemeter's series in, beside your own metrics. */
  registry?: PrometheusRegistry
  /** Histogram buckets of durations, in seconds. Default: the naming style's (see README). */
  durationBuckets?: readonly number[]
  /** Histogram buckets of body sizes (bytes) and of `histogram`/`distribution` values. */
  sizeBuckets?: readonly number[]
  /**
   * Send this process's changes to an aggregator that serves every worker's totals, instead of
   * serving them here: the aggregator's socket path, or `true` for the default one of the port.
   * Env `ROUTEMETER_PROMETHEUS_AGGREGATOR`. Default: `true` in a `node:cluster` worker (PM2
   * cluster mode included), else `false`.
   */
  aggregator?: string | boolean
}

export interface ResolvedPrometheusOptions {
  port: number | null
  host: string
  route: string | undefined
  registry: PrometheusRegistry | undefined
  durationBuckets: readonly number[]
  sizeBuckets: readonly number[]
  /** The aggregator's socket path when this process forwards; `undefined` when it serves. */
  aggregator: string | undefined
}

export const DEFAULT_PROMETHEUS_PORT = 9464
/** The advisory buckets of OpenTelemetry's `http.server.request.duration`, in seconds. */
export const OTEL_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
])
/** Tag style's duration buckets: the ones the README's statsd_exporter mapping gives. */
export const TAG_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
])
/** Body sizes, in bytes: 100 B to 10 MB by powers of ten. */
export const SIZE_BUCKETS: readonly number[] = Object.freeze([
  100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
])

type Env = Readonly<Record<string, string | undefined>>

const KNOWN = new Set([
  'port',
  'host',
  'route',
  'registry',
  'durationBuckets',
  'sizeBuckets',
  'aggregator',
])

/**
 * Where workers find the aggregator of scrape port `port` when no path is given: one local
 * socket per port, so two services on one host never mix, and every process of one service
 * (cluster, PM2, a container's processes) finds the same one without being told.
 */
export function defaultAggregatorSocket(port: number): string {
  return process.platform === 'win32'
    ? `\\\\.\\pipe\\routemeter-prometheus-${port}`
    : path.join(tmpdir(), `routemeter-prometheus-${port}.sock`)
}

export function resolvePrometheusOptions(
  value: unknown,
  otelNaming: boolean,
  env: Env,
): ResolvedPrometheusOptions | undefined {
  if (value === undefined || value === false) return undefined
  if (value !== true && (value === null || typeof value !== 'object' || Array.isArray(value)))
    throw new RoutemeterOptionError('prometheus', value, 'true, or an object of Prometheus options')
  const options = (value === true ? {} : value) as PrometheusOptions
  for (const key of Object.keys(options))
    if (!KNOWN.has(key))
      throw new RoutemeterOptionError(
        `prometheus.${key}`,
        (options as Record<string, unknown>)[key],
        `one of ${[...KNOWN].join(', ')}`,
      )

  const route = options.route
  if (
    route !== undefined &&
    (typeof route !== 'string' || !route.startsWith('/') || /[?#\s]/.test(route))
  )
    throw new RoutemeterOptionError(
      'prometheus.route',
      route,
      'a path starting with "/" (no query, no spaces)',
    )

  const envPort = prometheusPortFromEnv(env)
  let port: number | null
  if (options.port !== undefined) {
    if (options.port !== null && !isPort(options.port))
      throw new RoutemeterOptionError(
        'prometheus.port',
        options.port,
        'an integer 0–65535, or null for no listener of its own',
      )
    port = options.port
  } else {
    port = envPort ?? (route === undefined ? DEFAULT_PROMETHEUS_PORT : null)
  }

  const host = prometheusHost(options.host, 'prometheus.host', env)
  const registry = checkRegistry(options.registry, 'prometheus.registry')

  return {
    port,
    host,
    route,
    registry,
    durationBuckets:
      readBuckets('prometheus.durationBuckets', options.durationBuckets) ??
      (otelNaming ? OTEL_DURATION_BUCKETS : TAG_DURATION_BUCKETS),
    sizeBuckets: readBuckets('prometheus.sizeBuckets', options.sizeBuckets) ?? SIZE_BUCKETS,
    aggregator: readAggregator(options.aggregator, env, port ?? envPort ?? DEFAULT_PROMETHEUS_PORT),
  }
}

function readAggregator(value: unknown, env: Env, port: number): string | undefined {
  const fromEnv = env.ROUTEMETER_PROMETHEUS_AGGREGATOR
  let setting: unknown = value
  let name = 'prometheus.aggregator'
  if (setting === undefined && fromEnv !== undefined && fromEnv !== '') {
    name = 'ROUTEMETER_PROMETHEUS_AGGREGATOR'
    const flag = fromEnv.trim().toLowerCase()
    setting =
      flag === 'true' || flag === '1' ? true : flag === 'false' || flag === '0' ? false : fromEnv
  }
  // A cluster worker's port would be shared through the primary: each scrape would reach a
  // different worker's totals. Workers forward to the aggregator instead.
  if (setting === undefined) setting = cluster.isWorker
  if (setting === false) return undefined
  if (setting === true) return defaultAggregatorSocket(port)
  if (typeof setting === 'string' && setting.trim() !== '') return setting
  throw new RoutemeterOptionError(
    name,
    setting,
    "the aggregator's socket path, true for the default one, or false",
  )
}

/**
 * The listener's host: the option (named `name` in errors), else
 * `OTEL_EXPORTER_PROMETHEUS_HOST`, else `localhost` — for a meter's listener and the aggregator.
 */
export function prometheusHost(option: unknown, name: string, env: Env): string {
  const host = option ?? env.OTEL_EXPORTER_PROMETHEUS_HOST ?? 'localhost'
  if (typeof host !== 'string' || host.trim() === '')
    throw new RoutemeterOptionError(
      option === undefined ? 'OTEL_EXPORTER_PROMETHEUS_HOST' : name,
      host,
      'a host name or address',
    )
  return host
}

/** `value` when it is a prom-client registry (or absent); else a start-up error naming `name`. */
export function checkRegistry(value: unknown, name: string): PrometheusRegistry | undefined {
  if (value !== undefined && !isRegistry(value))
    throw new RoutemeterOptionError(
      name,
      value,
      "a prom-client Registry (new Registry(), or prom-client's register)",
    )
  return value
}

/** `OTEL_EXPORTER_PROMETHEUS_PORT`, checked; `undefined` when unset. */
export function prometheusPortFromEnv(env: Env): number | undefined {
  const raw = env.OTEL_EXPORTER_PROMETHEUS_PORT
  if (raw === undefined || raw === '') return undefined
  const port = Number(raw)
  if (!/^\s*\d+\s*$/.test(raw) || !isPort(port))
    throw new RoutemeterOptionError('OTEL_EXPORTER_PROMETHEUS_PORT', raw, 'an integer 0–65535')
  return port
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65_535
}

function readBuckets(name: string, value: unknown): readonly number[] | undefined {
  if (value === undefined) return undefined
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every(
      (bound, i) =>
        typeof bound === 'number' && Number.isFinite(bound) && (i === 0 || bound > value[i - 1]),
    )
  )
    throw new RoutemeterOptionError(
      name,
      value,
      'a non-empty list of finite numbers in increasing order (+Inf is added)',
    )
  return Object.freeze([...value])
}

export function isRegistry(value: unknown): value is PrometheusRegistry {
  if (value === null || typeof value !== 'object') return false
  const candidate = value as Partial<Record<keyof PrometheusRegistry, unknown>>
  return (
    typeof candidate.registerMetric === 'function' &&
    typeof candidate.metrics === 'function' &&
    typeof candidate.setContentType === 'function' &&
    typeof candidate.getMetricsAsArray === 'function'
  )
}
