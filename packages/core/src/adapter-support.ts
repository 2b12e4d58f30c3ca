import { RoutemeterOptionError } from './config/errors'
import type { MeterLogger } from './config/option-types'
import type { MeterOptions } from './config/options'
import { createMeter, type Meter } from './meter'

/**
 * Options every framework adapter takes: any meter option, plus these. `Request` is the
 * framework's request object, what `labels` functions are given.
 */
export interface AdapterOptions<Request = unknown> extends MeterOptions<Request> {
  /** Record into this meter instead of creating one; the adapter flushes it but never closes it. */
  meter?: Meter
  /** Request paths not measured: exact paths, or RegExps tested against the path (no query string). */
  exclude?: ReadonlyArray<string | RegExp>
}

export interface AdapterSetup {
  readonly meter: Meter
  /** True when the adapter created the meter and so must close it. */
  readonly ownsMeter: boolean
  /**
   * Tells whether a request path (query string included or not) is excluded; `undefined` when
   * there is no exclude list, so adapters skip reading the URL altogether.
   */
  readonly isExcluded: ((url: string) => boolean) | undefined
  /**
   * Tells whether an excluded request is a scrape of `prometheus.route`, which the adapter
   * answers with `meter.prometheus.respond()`; `undefined` without such a route. The route is
   * in the exclude list too, so a scrape is never measured and costs other requests nothing.
   */
  readonly isScrape: ((url: string) => boolean) | undefined
}

/**
 * A framework's own logger (Fastify's `app.log`, a pino instance). `isLevelEnabled` is how it
 * tells whether a warning would be printed.
 */
export interface FrameworkLogger extends MeterLogger {
  isLevelEnabled?(level: string): boolean
}

/**
 * Shared start-up of every adapter: validates adapter options and creates or adopts the meter.
 * `frameworkLog`: the framework's logger, which faults go to when the user names no `logger` —
 * if it prints warnings (see {@link loggerForFaults}).
 */
export function setUpAdapter<Request = unknown>(
  options: AdapterOptions<Request> = {},
  frameworkLog?: FrameworkLogger,
): AdapterSetup {
  if (options === null || typeof options !== 'object') {
    throw new RoutemeterOptionError('options', options, 'an object of routemeter options')
  }
  const { meter, exclude, ...meterOptions } = options
  if (meter !== undefined) {
    if (
      typeof meter !== 'object' ||
      meter === null ||
      typeof (meter as Meter).recordRequest !== 'function'
    ) {
      throw new RoutemeterOptionError('meter', meter, 'a meter from createMeter()')
    }
    // Labels belong to the meter: every request series of one meter carries the same label
    // keys (as statsd_exporter and PromQL aggregation want), whichever adapter records into it.
    if (meterOptions.labels !== undefined) {
      throw new RoutemeterOptionError(
        'labels',
        'given with "meter"',
        "labels in createMeter({ labels }) when a meter is shared: they are part of the meter, and its label functions get each adapter's own request object",
      )
    }
    if (Object.keys(meterOptions).length > 0) {
      const names = Object.keys(meterOptions).join(', ')
      throw new RoutemeterOptionError(
        names,
        'given with "meter"',
        'either a meter or meter options, not both',
      )
    }
    return { meter, ownsMeter: false, ...requestFilters(exclude, meter) }
  }
  if (meterOptions.logger === undefined && frameworkLog !== undefined) {
    const logger = loggerForFaults(frameworkLog)
    if (logger !== undefined) meterOptions.logger = logger
  }
  const created = createMeter(meterOptions)
  return { meter: created, ownsMeter: true, ...requestFilters(exclude, created) }
}

function requestFilters(
  exclude: AdapterOptions['exclude'],
  meter: Meter,
): Pick<AdapterSetup, 'isExcluded' | 'isScrape'> {
  const route = meter.prometheus?.route
  // A list that is not one is left to compileExclude's error.
  const withRoute = route !== undefined && (exclude === undefined || Array.isArray(exclude))
  const isExcluded = compileExclude(withRoute ? [route, ...(exclude ?? [])] : exclude)
  if (route === undefined) return { isExcluded, isScrape: undefined }
  return { isExcluded, isScrape: (url) => pathOf(url) === route }
}

function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * The framework's logger when it would print a warning, else `undefined` (core's default,
 * `console`, then prints it). A fault must reach the user once by default, and a framework's
 * logger is often off: Fastify's default is a logger whose methods do nothing (no
 * `isLevelEnabled`), so a StatsD host that does not resolve was never heard of; a pino at
 * level `error` would swallow the warning the same way.
 */
export function loggerForFaults(log: FrameworkLogger): MeterLogger | undefined {
  if (typeof log.isLevelEnabled !== 'function' || typeof log.warn !== 'function') return undefined
  try {
    return log.isLevelEnabled('warn') ? log : undefined
  } catch {
    return undefined
  }
}

function compileExclude(
  exclude: AdapterOptions['exclude'],
): ((url: string) => boolean) | undefined {
  if (exclude === undefined) return undefined
  if (!Array.isArray(exclude))
    throw new RoutemeterOptionError('exclude', exclude, 'an array of paths or RegExps')
  const exact = new Set<string>()
  const patterns: RegExp[] = []
  for (const entry of exclude as ReadonlyArray<unknown>) {
    if (typeof entry === 'string') exact.add(entry)
    else if (entry instanceof RegExp) patterns.push(entry)
    else throw new RoutemeterOptionError('exclude', entry, 'each entry a path string or a RegExp')
  }
  if (exact.size === 0 && patterns.length === 0) return undefined
  return (url) => {
    const path = pathOf(url)
    if (exact.has(path)) return true
    for (const pattern of patterns) {
      pattern.lastIndex = 0
      if (pattern.test(path)) return true
    }
    return false
  }
}
