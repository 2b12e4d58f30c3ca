import { isIPv4 } from 'node:net'
import type { StatsD } from 'hot-shots'
import type { CustomNaming } from './custom-naming'
import { type DatadogTags, readDatadogTags, readDatadogTransport } from './datadog-env'
import { RoutemeterOptionError } from './errors'
import { parseKnownMethods } from './http-method'
import { readLabels } from './labels-option'
import type {
  MeterLogger,
  NamingStyle,
  Protocol,
  RequestLabels,
  Tags,
  TimerType,
} from './option-types'
import {
  type PrometheusOptions,
  type ResolvedPrometheusOptions,
  resolvePrometheusOptions,
} from './prometheus-options'
import type { TagFormat } from './sanitize'

/**
 * Meter options. `Request` is the request object `labels` functions are given: the adapters
 * set it to their framework's (`FastifyRequest`, Express `Request`, Koa and Hono `Context`).
 */
export interface MeterOptions<Request = unknown> {
  /** Send nothing when false; the API stays the same. Env `STATSD_ENABLED`. Default `true`. */
  enabled?: boolean
  /** StatsD host. Env `STATSD_HOST`. Default `127.0.0.1`. */
  host?: string
  /** StatsD port. Env `STATSD_PORT`. Default `8125`. */
  port?: number
  /** Transport. Env `STATSD_PROTOCOL`. Default `udp`. */
  protocol?: Protocol
  /** Unix datagram socket path for `protocol: 'uds'`. Env `STATSD_PATH`. */
  path?: string
  /**
   * Prefix for every metric name. Env `STATSD_PREFIX`. Default `applications.<service>.<environment>`
   * when both are given, else none. `null` means no prefix, whatever the environment says.
   */
  prefix?: string | null
  /** Service name, used for the default prefix. */
  service?: string
  /** Environment name (`prod`, `staging`), used for the default prefix. */
  environment?: string
  /**
   * `tags` (default), `path` (Graphite dotted names), `otel` (OpenTelemetry HTTP semantic
   * conventions, as tags), or custom functions. Env `STATSD_NAMING`.
   */
  naming?: NamingStyle | CustomNaming
  /** Tag syntax on the wire. Env `STATSD_TAG_FORMAT`. Default `dogstatsd`. */
  tagFormat?: TagFormat
  /** Tags added to every metric. Env `STATSD_GLOBAL_TAGS` as `key:value,key:value`. */
  globalTags?: Tags
  /** How often aggregated series are sent, in ms. Env `STATSD_FLUSH_INTERVAL_MS`. Default `1000`. */
  flushIntervalMs?: number
  /**
   * How long `close()` waits for requests in flight to end before its final flush, in ms, so
   * that requests ending during shutdown (force-closed connections: 499) are in it. `0`: no
   * wait. Default `2000`.
   */
  closeWaitMs?: number
  /** Fraction (0–1] of timer samples kept; counters stay exact. Env `STATSD_SAMPLE_RATE`. Default `1`. */
  sampleRate?: number
  /**
   * Largest datagram (or TCP batch) in bytes. Env `STATSD_MAX_BUFFER_SIZE`. Default `1432` (fits
   * a 1500-byte MTU) for UDP to another host; `8192` for a loopback host, `uds` and `tcp`.
   */
  maxBufferSize?: number
  /** Cap on distinct series; beyond it requests go to the overflow route. Default `20000`. */
  maxSeries?: number
  /** Samples a timer series (or members a set) holds before it is flushed early. Default `1000`. */
  maxSamplesPerSeries?: number
  /**
   * Opt-in bound for very hot routes: at most this many samples per timer series and flush,
   * picked uniformly (reservoir sampling) and sent with the `|@rate` that makes the backend count
   * every sample. Env `STATSD_MAX_SAMPLES_PER_FLUSH`. Default `0`: every sample is sent.
   */
  maxSamplesPerFlush?: number
  /**
   * Bytes held for a TCP peer that is away or slow (oldest dropped first), and for UDP datagrams
   * while the StatsD host name is first resolved. More than `maxBufferSize`. Default `1048576`.
   */
  maxQueueBytes?: number
  /** Send timer samples packed (`name:1:2:3|ms`). DogStatsD agents only. Default `false`. */
  packValues?: boolean
  /** Emit event-loop delay/utilisation, heap and RSS gauges on each flush. Default `false`. */
  processMetrics?: boolean
  /**
   * A hot-shots client to send through instead of connection options; it is never closed by us.
   * It carries routemeter's finished datagrams only: its own prefix, suffix, global tags and
   * sample rate are not applied (a warning says so at start-up); use `prefix` and `globalTags`.
   */
  client?: StatsD
  /** Receives fault messages, rate limited. Default: `console`. */
  logger?: MeterLogger
  /**
   * Request labels: extra tags on the request metrics, each read by a function from the
   * framework's request object when the request ends (a slow function delays nothing but the
   * recording; a Promise is a fault, never awaited). `undefined` or `''` is recorded as `_none`,
   * a throw or a non-string as `_error` (fault counted). Tag styles only: `naming: 'path'`
   * rejects them. Names: lower-case letters, digits and `_`, starting with a letter, other
   * than the request tags (`route`, `method`, `status_code`, `status_class`) and `globalTags`.
   */
  labels?: RequestLabels<Request>
  /**
   * Distinct values kept per label; further values are recorded as `_other` (counted in
   * `stats().overflowed`, logged once). Env `STATSD_MAX_LABEL_VALUES`. Default `100`.
   */
  maxLabelValues?: number
  /**
   * Adds request and response body size metrics, in bytes actually received and sent (chunked
   * and streamed bodies included, headers not), sent as `timerType`. Env `STATSD_BODY_SIZES`.
   * Default `false`.
   */
  bodySizes?: boolean
  /**
   * What durations and body sizes are sent as: `ms` (StatsD timer), `h` (DogStatsD histogram),
   * `d` (DogStatsD distribution). Env `STATSD_TIMER_TYPE`. Default `ms`.
   */
  timerType?: TimerType
  /**
   * Push over StatsD. Set `false` to serve Prometheus only (with `prometheus`). Env
   * `ROUTEMETER_STATSD`. Default `true`.
   */
  statsd?: boolean
  /**
   * Serve Prometheus as well (or instead, with `statsd: false`): `true` for routemeter's own
   * `/metrics` listener on port 9464, or {@link PrometheusOptions}. Needs the `prom-client`
   * package. Default: off.
   */
  prometheus?: boolean | PrometheusOptions
}

export interface ResolvedOptions {
  enabled: boolean
  host: string
  port: number
  protocol: Protocol
  path: string | undefined
  prefix: string | null
  naming: NamingStyle | CustomNaming
  /**
   * The methods recorded by name under `otel` naming (`OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`);
   * `undefined`: the standard ones. Read only for `otel` naming.
   */
  knownMethods: readonly string[] | undefined
  tagFormat: TagFormat
  globalTags: Tags
  flushIntervalMs: number
  closeWaitMs: number
  sampleRate: number
  maxBufferSize: number
  maxSeries: number
  maxSamplesPerSeries: number
  maxSamplesPerFlush: number
  maxQueueBytes: number
  packValues: boolean
  processMetrics: boolean
  client: StatsD | undefined
  logger: MeterLogger
  /** `undefined` when no labels are configured. */
  labels: RequestLabels | undefined
  maxLabelValues: number
  bodySizes: boolean
  timerType: TimerType
  statsd: boolean
  /** `undefined` when Prometheus is not served. */
  prometheus: ResolvedPrometheusOptions | undefined
  /** `service` and `environment` when both are given: labels of every Prometheus series. */
  serviceLabels: Tags
}

type Env = Readonly<Record<string, string | undefined>>

/** The settings that choose a transport; any of them set keeps `DD_DOGSTATSD_URL` out. */
const TRANSPORT_SETTINGS = [
  ['host', 'STATSD_HOST'],
  ['port', 'STATSD_PORT'],
  ['protocol', 'STATSD_PROTOCOL'],
  ['path', 'STATSD_PATH'],
] as const

const KNOWN_OPTIONS = new Set<string>([
  'enabled',
  'statsd',
  'prometheus',
  'host',
  'port',
  'protocol',
  'path',
  'prefix',
  'service',
  'environment',
  'naming',
  'tagFormat',
  'globalTags',
  'flushIntervalMs',
  'closeWaitMs',
  'sampleRate',
  'maxBufferSize',
  'maxSeries',
  'maxSamplesPerSeries',
  'maxSamplesPerFlush',
  'maxQueueBytes',
  'packValues',
  'processMetrics',
  'client',
  'logger',
  'labels',
  'maxLabelValues',
  'bodySizes',
  'timerType',
])

/**
 * Resolves options once, at startup: explicit option, else `STATSD_*` variable, else Datadog's
 * `DD_*` variable where one applies, else default. Any invalid value throws a {@link RoutemeterOptionError}.
 */
export function resolveOptions<Request = unknown>(
  options: MeterOptions<Request> = {},
  env: Env = process.env,
): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new RoutemeterOptionError('options', options, 'an object')
  }
  const reader = new OptionReader(options as Record<string, unknown>, env)
  reader.rejectUnknown(KNOWN_OPTIONS)

  // Datadog's variables come last: an option, then a `STATSD_*` variable, then `DD_*`.
  const datadog = readDatadogTransport(env, reader.givesTransport())
  const protocol = reader.oneOf(
    'protocol',
    'STATSD_PROTOCOL',
    ['udp', 'tcp', 'uds'] as const,
    datadog.protocol ?? 'udp',
  )
  const client = reader.client()
  const logger = reader.logger()
  warnAboutEnabledFlag(options, env, logger)
  const host = reader.string('host', 'STATSD_HOST', datadog.host ?? '127.0.0.1')
  const maxBufferSize = reader.integer(
    'maxBufferSize',
    'STATSD_MAX_BUFFER_SIZE',
    defaultBufferSize(protocol, host),
    512,
    65_507,
  )
  const maxQueueBytes = reader.integer('maxQueueBytes', undefined, 1_048_576, 1024, 1_073_741_824)
  // A queue smaller than one datagram (plus its newline) would drop every full datagram.
  if (maxQueueBytes <= maxBufferSize) {
    const bufferSource = reader.sourceOf('maxBufferSize', 'STATSD_MAX_BUFFER_SIZE')
    throw new RoutemeterOptionError(
      'maxQueueBytes',
      maxQueueBytes,
      `more than maxBufferSize (${maxBufferSize}${bufferSource === undefined ? '' : `, from ${bufferSource}`}): the send queue must hold one full datagram`,
    )
  }
  const naming = reader.naming()
  const tagFormat = reader.oneOf(
    'tagFormat',
    'STATSD_TAG_FORMAT',
    ['dogstatsd', 'telegraf'] as const,
    'dogstatsd',
  )
  const datadogTags = readDatadogTags(env)
  const globalTags = { ...datadogTags.tags, ...reader.globalTags() }
  const timerType = reader.oneOf('timerType', 'STATSD_TIMER_TYPE', ['ms', 'h', 'd'] as const, 'ms')
  // Telegraf reads `|d` only with its DogStatsD extensions on, which come with DogStatsD tags.
  if (timerType === 'd' && tagFormat === 'telegraf') {
    throw new RoutemeterOptionError(
      'timerType',
      timerType,
      `"ms" or "h" with tagFormat "telegraf"${reader.from('tagFormat', 'STATSD_TAG_FORMAT')} (Telegraf reads distributions only with datadog_extensions and datadog_distributions on; use tagFormat "dogstatsd" for those)`,
      reader.sourceOf('timerType', 'STATSD_TIMER_TYPE'),
    )
  }
  const namingFrom = reader.from('naming', 'STATSD_NAMING')
  const sampleRate = reader.sampleRate()
  // OpenTelemetry has no request counter: the duration's count is the request count, and a
  // sampled duration would make every count an estimate.
  if (naming === 'otel' && sampleRate < 1) {
    throw new RoutemeterOptionError(
      'sampleRate',
      sampleRate,
      `1 with naming "otel"${namingFrom} (its request count is the duration count, so no sample may be dropped)`,
      reader.sourceOf('sampleRate', 'STATSD_SAMPLE_RATE'),
    )
  }
  const maxSamplesPerFlush = reader.integer(
    'maxSamplesPerFlush',
    'STATSD_MAX_SAMPLES_PER_FLUSH',
    0,
    0,
    1_000_000,
  )
  // The same for the reservoir: its counts come from the rate, estimates to a floating point.
  if (naming === 'otel' && maxSamplesPerFlush !== 0) {
    throw new RoutemeterOptionError(
      'maxSamplesPerFlush',
      maxSamplesPerFlush,
      `0 with naming "otel"${namingFrom} (its request count is the duration count, so every sample is sent)`,
      reader.sourceOf('maxSamplesPerFlush', 'STATSD_MAX_SAMPLES_PER_FLUSH'),
    )
  }
  return {
    enabled: reader.boolean('enabled', 'STATSD_ENABLED', true),
    host,
    port: reader.integer('port', 'STATSD_PORT', datadog.port ?? 8125, 1, 65535),
    protocol,
    path: reader.optionalString('path', 'STATSD_PATH') ?? datadog.path,
    prefix: reader.prefix(),
    naming,
    knownMethods: naming === 'otel' ? reader.knownMethods() : undefined,
    tagFormat,
    globalTags,
    flushIntervalMs: reader.integer(
      'flushIntervalMs',
      'STATSD_FLUSH_INTERVAL_MS',
      1000,
      10,
      3_600_000,
    ),
    closeWaitMs: reader.integer('closeWaitMs', undefined, 2000, 0, 600_000),
    sampleRate,
    maxBufferSize,
    maxSeries: reader.integer('maxSeries', undefined, 20_000, 1, 10_000_000),
    maxSamplesPerSeries: reader.integer('maxSamplesPerSeries', undefined, 1000, 1, 1_000_000),
    maxSamplesPerFlush,
    maxQueueBytes,
    packValues: reader.boolean('packValues', undefined, false),
    processMetrics: reader.boolean('processMetrics', undefined, false),
    client,
    logger,
    labels: readLabels(options.labels as unknown, naming, globalTags, {
      naming: namingFrom,
      globalTag: (key) => reader.globalTagSource(key, datadogTags),
    }),
    maxLabelValues: reader.integer('maxLabelValues', 'STATSD_MAX_LABEL_VALUES', 100, 1, 100_000),
    bodySizes: reader.boolean('bodySizes', 'STATSD_BODY_SIZES', false),
    timerType,
    statsd: reader.boolean('statsd', 'ROUTEMETER_STATSD', true),
    prometheus: resolvePrometheusOptions(options.prometheus, naming === 'otel', env),
    serviceLabels: reader.serviceLabels(),
  }
}

/** What fits one Ethernet frame (1500-byte MTU less IP and UDP headers, as the StatsD clients use). */
export const NETWORK_DATAGRAM_BYTES = 1432
/**
 * Datagrams to this machine (and TCP batches) never cross a 1500-byte link, so they can be as
 * large as every StatsD server reads by default: the Datadog agent's receive buffer is 8192
 * bytes; the Etsy daemon, statsd_exporter and Telegraf read up to 64 KiB. Each send costs
 * about the same whatever its size, so this is most of the sending cost gone.
 */
export const LOCAL_DATAGRAM_BYTES = 8192

/** 1432 for UDP to another machine; 8192 on loopback, over Unix sockets and TCP. */
function defaultBufferSize(protocol: Protocol, host: string): number {
  if (protocol !== 'udp') return LOCAL_DATAGRAM_BYTES
  return isLoopbackHost(host) ? LOCAL_DATAGRAM_BYTES : NETWORK_DATAGRAM_BYTES
}

/** A literal loopback address or `localhost`; a name is not resolved here (start-up is sync). */
function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase()
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true
  return isIPv4(name) && name.startsWith('127.')
}

/**
 * An unrecognised `STATSD_ENABLED` (`ture`, `enabled`) still disables metrics — the documented
 * rule — but silently losing every metric over a typo deserves one warning naming the value.
 */
function warnAboutEnabledFlag(
  options: Pick<MeterOptions, 'enabled'>,
  env: Env,
  logger: MeterLogger,
): void {
  const text = env.STATSD_ENABLED
  if (options.enabled !== undefined || text === undefined || text.trim() === '') return
  if (isRecognisedEnabledFlag(text)) return
  try {
    logger.warn(
      `routemeter: STATSD_ENABLED=${JSON.stringify(text.slice(0, 80))} is not a recognised value, so metrics are disabled; use a non-zero integer or yes/true/t/on to enable, 0 or no/false/f/off to disable`,
    )
  } catch {
    // A throwing logger must not stop start-up over a notice.
  }
}

const TRUE_WORDS = new Set(['yes', 'true', 't', 'on'])
const FALSE_WORDS = new Set(['no', 'false', 'f', 'off'])

/** Whether `STATSD_ENABLED` text is one of the documented spellings (of either value). */
export function isRecognisedEnabledFlag(text: string): boolean {
  const trimmed = text.trim()
  if (/^[+-]?\d+$/.test(trimmed)) return true
  const word = trimmed.toLowerCase()
  return TRUE_WORDS.has(word) || FALSE_WORDS.has(word)
}

/** `STATSD_ENABLED` rule: a non-zero integer or yes/true/t/on (any case) is true. */
export function parseEnabledFlag(text: string): boolean {
  const trimmed = text.trim()
  if (/^[+-]?\d+$/.test(trimmed)) return Number(trimmed) !== 0
  return TRUE_WORDS.has(trimmed.toLowerCase())
}

class OptionReader {
  constructor(
    private readonly options: Record<string, unknown>,
    private readonly env: Env,
  ) {}

  /** Whether any transport option or `STATSD_*` transport variable is set. */
  givesTransport(): boolean {
    return TRANSPORT_SETTINGS.some(([name, envName]) => this.raw(name, envName) !== undefined)
  }

  /** The variable an option's value came from, when it came from the environment. */
  sourceOf(name: string, envName: string): string | undefined {
    return this.raw(name, envName)?.source
  }

  /**
   * ` (from VARIABLE)` when the option's value came from the environment, else nothing: a
   * start-up error about a conflict between two settings names both, wherever each was set.
   */
  from(name: string, envName: string): string {
    const source = this.sourceOf(name, envName)
    return source === undefined ? '' : ` (from ${source})`
  }

  /** ` (from VARIABLE)` for a global tag that came from the environment, else nothing. */
  globalTagSource(key: string, datadog: DatadogTags): string {
    if (this.options.globalTags !== undefined) {
      if (Object.hasOwn(this.options.globalTags as object, key)) return ''
    } else if (this.sourceOf('globalTags', 'STATSD_GLOBAL_TAGS') !== undefined) {
      if (Object.hasOwn(this.globalTags(), key)) return ' (from STATSD_GLOBAL_TAGS)'
    }
    const source = datadog.sources[key]
    return source === undefined ? '' : ` (from ${source})`
  }

  rejectUnknown(known: ReadonlySet<string>): void {
    for (const key of Object.keys(this.options)) {
      if (!known.has(key)) {
        throw new RoutemeterOptionError(
          key,
          this.options[key],
          `one of the known options: ${[...known].join(', ')}`,
        )
      }
    }
  }

  /** The explicit value if given (not undefined), else the env text, else nothing. */
  private raw(
    name: string,
    envName: string | undefined,
  ): { value: unknown; source?: string } | undefined {
    const value = this.options[name]
    if (value !== undefined) return { value }
    if (envName === undefined) return undefined
    const text = this.env[envName]
    if (text === undefined || text === '') return undefined
    return { value: text, source: envName }
  }

  boolean(name: string, envName: string | undefined, fallback: boolean): boolean {
    const given = this.raw(name, envName)
    if (!given) return fallback
    if (given.source) return parseEnabledFlag(String(given.value))
    if (typeof given.value !== 'boolean')
      throw new RoutemeterOptionError(name, given.value, 'true or false')
    return given.value
  }

  string(name: string, envName: string, fallback: string): string {
    return this.optionalString(name, envName) ?? fallback
  }

  optionalString(name: string, envName: string): string | undefined {
    const given = this.raw(name, envName)
    if (!given) return undefined
    if (typeof given.value !== 'string' || given.value.trim() === '') {
      throw new RoutemeterOptionError(name, given.value, 'a non-empty string', given.source)
    }
    return given.value.trim()
  }

  integer(
    name: string,
    envName: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number {
    const given = this.raw(name, envName)
    if (!given) return fallback
    const value =
      given.source && /^\s*\d+\s*$/.test(String(given.value)) ? Number(given.value) : given.value
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RoutemeterOptionError(
        name,
        given.value,
        `an integer from ${min} to ${max}`,
        given.source,
      )
    }
    return value
  }

  oneOf<T extends string>(name: string, envName: string, allowed: readonly T[], fallback: T): T {
    const given = this.raw(name, envName)
    if (!given) return fallback
    const value = given.source ? String(given.value).trim().toLowerCase() : given.value
    if (!allowed.includes(value as T)) {
      throw new RoutemeterOptionError(
        name,
        given.value,
        `one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
        given.source,
      )
    }
    return value as T
  }

  sampleRate(): number {
    const given = this.raw('sampleRate', 'STATSD_SAMPLE_RATE')
    if (!given) return 1
    const value = given.source ? Number(String(given.value).trim()) : given.value
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
      throw new RoutemeterOptionError(
        'sampleRate',
        given.value,
        'a number greater than 0 and at most 1',
        given.source,
      )
    }
    return value
  }

  prefix(): string | null {
    if (this.options.prefix === null) return null
    // `STATSD_PREFIX=` (set, empty) turns the default prefix off, as `prefix: null` does.
    if (this.options.prefix === undefined && this.env.STATSD_PREFIX?.trim() === '') return null
    const given = this.raw('prefix', 'STATSD_PREFIX')
    if (given) {
      if (typeof given.value !== 'string') {
        throw new RoutemeterOptionError(
          'prefix',
          given.value,
          'a string, or null for no prefix',
          given.source,
        )
      }
      return given.value.trim() === '' ? null : given.value.trim()
    }
    const service = this.optionalString('service', 'STATSD_SERVICE')
    const environment = this.optionalString('environment', 'STATSD_ENVIRONMENT')
    return service !== undefined && environment !== undefined
      ? `applications.${service}.${environment}`
      : null
  }

  /** What the default prefix is made of, as Prometheus labels (as the README's statsd_exporter mapping gives). */
  serviceLabels(): Tags {
    const service = this.optionalString('service', 'STATSD_SERVICE')
    const environment = this.optionalString('environment', 'STATSD_ENVIRONMENT')
    return service !== undefined && environment !== undefined ? { service, environment } : {}
  }

  naming(): NamingStyle | CustomNaming {
    const value = this.options.naming
    if (value !== undefined && typeof value === 'object' && value !== null) {
      const custom = value as Partial<CustomNaming>
      for (const key of ['requestCounter', 'requestTimer'] as const) {
        if (typeof custom[key] !== 'function') {
          throw new RoutemeterOptionError(
            `naming.${key}`,
            custom[key],
            'a function (series) => { name, tags? }',
          )
        }
      }
      for (const key of ['executionTimer', 'requestBodySize', 'responseBodySize'] as const) {
        if (custom[key] !== undefined && typeof custom[key] !== 'function') {
          throw new RoutemeterOptionError(`naming.${key}`, custom[key], 'a function or undefined')
        }
      }
      return value as CustomNaming
    }
    return this.oneOf('naming', 'STATSD_NAMING', ['tags', 'path', 'otel'] as const, 'tags')
  }

  /** `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`, the OpenTelemetry variable (no option of ours). */
  knownMethods(): readonly string[] | undefined {
    const name = 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS'
    const text = this.env[name]
    if (text === undefined || text.trim() === '') return undefined
    const methods = parseKnownMethods(text)
    if (typeof methods === 'string') {
      throw new RoutemeterOptionError(
        name,
        text,
        `a comma-separated list of HTTP methods, such as "GET,POST,PURGE" (${methods})`,
        'the environment',
      )
    }
    return methods
  }

  globalTags(): Tags {
    const given = this.raw('globalTags', 'STATSD_GLOBAL_TAGS')
    if (!given) return {}
    if (given.source) return parseTagList(String(given.value), given.source)
    const value = given.value
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RoutemeterOptionError(
        'globalTags',
        value,
        'an object of tag names to string or number values',
      )
    }
    for (const [key, tagValue] of Object.entries(value)) {
      if (typeof tagValue !== 'string' && typeof tagValue !== 'number') {
        throw new RoutemeterOptionError(`globalTags.${key}`, tagValue, 'a string or a number')
      }
    }
    return { ...(value as Tags) }
  }

  client(): StatsD | undefined {
    const value = this.options.client
    if (value === undefined) return undefined
    const candidate = value as { sendMessage?: unknown } | null
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.sendMessage !== 'function'
    ) {
      throw new RoutemeterOptionError('client', value, 'a hot-shots StatsD client instance')
    }
    return value as StatsD
  }

  logger(): MeterLogger {
    const value = this.options.logger
    if (value === undefined) return console
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof (value as MeterLogger).warn !== 'function'
    ) {
      throw new RoutemeterOptionError('logger', value, 'an object with a warn(message) method')
    }
    return value as MeterLogger
  }
}

function parseTagList(text: string, source: string): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue
    const at = pair.indexOf(':')
    if (at <= 0)
      throw new RoutemeterOptionError(
        'globalTags',
        text,
        'a list like "key:value,key:value"',
        source,
      )
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return tags
}
