import {
  type Meter,
  routeToPathSegments,
  UNMATCHED_ROUTE,
  UNMATCHED_SEGMENT,
} from '@routemeter/core'
import { type AdapterOptions, sanitizeTagValue } from '@routemeter/core/adapter'
import {
  type ParsedSample,
  type StatsdReceiver,
  startStatsdReceiver,
  waitUntil,
} from '@routemeter/core/testing'
import type { AdapterFactory, AppSpec, StartedApp, StartOptions } from './adapter'
import { NO_INTERVAL } from './net'

export const NAMINGS = ['tags', 'path'] as const
export type Naming = (typeof NAMINGS)[number]

/** A route template, or `null` for "no route matched". */
export type Route = string | null

/**
 * Request metrics read back in either naming style, so a scenario states the template the
 * adapter must produce once: `read.count('/users/:id', 'GET', 200)`. Wire forms come from core's
 * own sanitiser and path mapping.
 */
export class Reader {
  constructor(
    private readonly receiver: StatsdReceiver,
    readonly naming: Naming,
  ) {}

  count(route: Route, method: string, status: number): number {
    return this.naming === 'tags'
      ? this.receiver.counter('http.server.requests', this.tags(route, method, status))
      : this.receiver.counter(`counters.${this.segments(route)}.${method}.${status}`)
  }

  durations(route: Route, method: string, status: number): number[] {
    return this.naming === 'tags'
      ? this.receiver.timings('http.server.duration', this.tags(route, method, status))
      : this.receiver.timings(`timers.${this.segments(route)}.${method}.${status}`)
  }

  /** Every request duration received, whatever the series. */
  allDurations(): number[] {
    if (this.naming === 'tags') return this.receiver.timings('http.server.duration')
    return this.receiver
      .samples()
      .filter((sample) => sample.type === 'ms' && /^timers\..*\.[A-Z_]+\.\d{3}$/.test(sample.name))
      .flatMap((sample) => sample.values.map(Number))
  }

  /** Samples of the request's `metrics.timer(name)` / `time(name, fn)` under a route and method. */
  timings(route: Route, method: string, name: string, tags: Record<string, string> = {}): number[] {
    return this.naming === 'tags'
      ? this.receiver.timings(name, { route: this.label(route), method, ...tags })
      : this.receiver.timings(`timers.${this.segments(route)}.${method}.${name}`)
  }

  /** Every request series received, as `METHOD label status` → count. */
  series(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const sample of this.requestSamples()) {
      const [label, method, status] = this.parts(sample)
      const key = `${method} ${label} ${status}`
      out[key] = (out[key] ?? 0) + Number(sample.values[0])
    }
    return out
  }

  /** `METHOD label status` for {@link series}, from a template. */
  key(route: Route, method: string, status: number): string {
    return `${method} ${this.label(route)} ${status}`
  }

  /** All requests counted, whatever their route, method or status. */
  total(): number {
    let total = 0
    for (const sample of this.requestSamples()) total += Number(sample.values[0])
    return total
  }

  /** Requests counted by status class (`2xx`…), read from the status code in either style. */
  statusClass(statusClass: string): number {
    let total = 0
    for (const sample of this.requestSamples()) {
      if (`${this.parts(sample)[2].charAt(0)}xx` === statusClass) total += Number(sample.values[0])
    }
    return total
  }

  /** A route in wire form: the `route` tag value, or the path segments. */
  label(route: Route): string {
    if (this.naming === 'tags') {
      return route === null ? UNMATCHED_ROUTE : sanitizeTagValue(route, 'dogstatsd')
    }
    return this.segments(route)
  }

  private segments(route: Route): string {
    return route === null ? UNMATCHED_SEGMENT : routeToPathSegments(route)
  }

  private tags(route: Route, method: string, status: number): Record<string, string> {
    return { route: this.label(route), method, status_code: String(status) }
  }

  private requestSamples(): ParsedSample[] {
    return this.receiver
      .samples()
      .filter((sample) =>
        this.naming === 'tags'
          ? sample.name === 'http.server.requests'
          : sample.name.startsWith('counters.'),
      )
  }

  /** Label, method and status of a request counter sample. */
  private parts(sample: ParsedSample): [string, string, string] {
    if (this.naming === 'tags') {
      return [sample.tags.route ?? '', sample.tags.method ?? '', sample.tags.status_code ?? '']
    }
    const segments = sample.name.split('.')
    return [segments.slice(1, -2).join('.'), segments.at(-2) ?? '', segments.at(-1) ?? '']
  }
}

/** An app under test with its own UDP receiver, no prefix and no interval flush. */
export interface Measured {
  readonly app: StartedApp
  readonly meter: Meter
  readonly receiver: StatsdReceiver
  readonly read: Reader
  /**
   * Waits until every request has ended, flushes, and waits until all of it arrived: a sentinel
   * counter goes out after it on the same socket, and loopback UDP keeps order.
   */
  settle(): Promise<void>
  close(): Promise<void>
}

let sentinels = 0

export async function measured(
  factory: AdapterFactory,
  spec: AppSpec,
  naming: Naming,
  options: AdapterOptions = {},
  how: StartOptions = {},
): Promise<Measured> {
  const receiver = await startStatsdReceiver({ protocol: 'udp' })
  let app: StartedApp
  try {
    app = await factory.start(
      spec,
      { port: receiver.port, naming, prefix: null, flushIntervalMs: NO_INTERVAL, ...options },
      how,
    )
  } catch (error) {
    await receiver.close()
    throw error
  }
  const meter = app.meter as Meter
  return {
    app,
    meter,
    receiver,
    read: new Reader(receiver, naming),
    async settle() {
      await waitUntil(() => meter.stats().activeRequests <= 0, 'every request has ended')
      const name = `test.sentinel_${++sentinels}`
      meter.increment(name)
      await meter.flush()
      await receiver.waitFor((r) => r.counter(name) > 0)
    },
    async close() {
      await app.dispose()
      await receiver.close()
    },
  }
}
