import { routeToPathSegments, UNMATCHED_ROUTE, UNMATCHED_SEGMENT } from '@routemeter/core'
import { sanitizeTagValue } from '@routemeter/core/adapter'
import {
  type StatsdLines,
  type StatsdReceiver,
  startStatsdReceiver,
} from '@routemeter/core/testing'
import express5, { type Express } from 'express'
import express4 from 'express4'
import express418 from 'express4-18'
import { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from '../../src/index'

export type ExpressFactory = typeof express5

/**
 * The supported Express releases; suites run against each (`describe.each(MAJORS)`): Express 5,
 * the newest Express 4 and the lowest Express 4 the peer range admits (4.18.2, which NestJS 9
 * and 10 ship), whose path-to-regexp 0.1.7 compiles mount paths differently from later 4.x.
 */
export const MAJORS: ReadonlyArray<{ readonly major: string; readonly express: ExpressFactory }> = [
  { major: 'Express 5', express: express5 },
  { major: 'Express 4', express: express4 },
  { major: 'Express 4.18', express: express418 },
]

export const NAMINGS = ['tags', 'path'] as const
export type Naming = (typeof NAMINGS)[number]

/** Every major with every naming style, for `describe.each`. */
export const MATRIX = MAJORS.flatMap(({ major, express }) =>
  NAMINGS.map((naming) => ({ major, express, naming })),
)

/** `null` stands for "no route matched" in the readers below. */
export type Route = string | null

/**
 * Reads request metrics back from received lines in either naming style, so one test reads the
 * same for both: `count('/users/:id', 'GET', 200)`. Templates are put in wire form with core's
 * own sanitiser and path mapping, so a test states the template the adapter must produce.
 */
export class RequestMetricsReader {
  constructor(
    private readonly lines: StatsdLines,
    readonly naming: Naming,
  ) {}

  count(route: Route, method: string, status: number): number {
    if (this.naming === 'tags') {
      return this.lines.counter('http.server.requests', {
        ...this.routeTag(route),
        method,
        status_code: String(status),
      })
    }
    return this.lines.counter(`counters.${this.segments(route)}.${method}.${status}`)
  }

  durations(route: Route, method: string, status: number): number[] {
    if (this.naming === 'tags') {
      return this.lines.timings('http.server.duration', {
        ...this.routeTag(route),
        method,
        status_code: String(status),
      })
    }
    return this.lines.timings(`timers.${this.segments(route)}.${method}.${status}`)
  }

  /** Samples of `req.metrics.timer(name)` / `time(name, fn)` under a route and method. */
  executionTimings(route: Route, method: string, name: string): number[] {
    if (this.naming === 'tags') return this.lines.timings(name, { ...this.routeTag(route), method })
    return this.lines.timings(`timers.${this.segments(route)}.${method}.${name}`)
  }

  /** All requests counted, whatever their route, method or status. */
  total(): number {
    let total = 0
    for (const sample of this.requestSamples()) total += Number(sample.values[0])
    return total
  }

  /** The route part of every request series received, in wire form (tag value or path segments). */
  labels(): string[] {
    const labels = new Set<string>()
    for (const sample of this.requestSamples()) {
      if (this.naming === 'tags') labels.add(sample.tags.route ?? '')
      else labels.add(sample.name.split('.').slice(1, -2).join('.'))
    }
    return [...labels].sort()
  }

  /** A route template in wire form: what {@link labels} lists for it. */
  label(route: Route): string {
    return this.naming === 'tags' ? (this.routeTag(route).route ?? '') : this.segments(route)
  }

  private requestSamples() {
    return this.lines
      .samples()
      .filter((sample) =>
        this.naming === 'tags'
          ? sample.name === 'http.server.requests'
          : sample.name.startsWith('counters.'),
      )
  }

  private routeTag(route: Route): { route: string } {
    return { route: route === null ? UNMATCHED_ROUTE : sanitizeTagValue(route, 'dogstatsd') }
  }

  private segments(route: Route): string {
    return route === null ? UNMATCHED_SEGMENT : routeToPathSegments(route)
  }
}

/** An Express app with the middleware mounted first, sending to a real UDP receiver. */
export interface MeasuredApp {
  readonly app: Express
  readonly metrics: RoutemeterMiddleware
  readonly receiver: StatsdReceiver
  readonly read: RequestMetricsReader
  /** Flushes the meter and waits until `requests` requests in all have arrived. */
  flushed(requests: number): Promise<void>
  close(): Promise<void>
}

export async function measuredApp(
  express: ExpressFactory,
  naming: Naming,
  options: RoutemeterOptions = {},
): Promise<MeasuredApp> {
  const receiver = await startStatsdReceiver({ protocol: 'udp' })
  // No prefix (whatever STATSD_* says) and no interval flush: tests flush when they assert.
  const metrics = routemeter({
    port: receiver.port,
    naming,
    prefix: null,
    flushIntervalMs: 3_600_000,
    ...options,
  })
  const app = express()
  app.use(metrics)
  const read = new RequestMetricsReader(receiver, naming)
  return {
    app,
    metrics,
    receiver,
    read,
    async flushed(requests: number) {
      await metrics.meter.flush()
      await receiver.waitFor(() => read.total() >= requests)
    },
    async close() {
      await metrics.close()
      await receiver.close()
    },
  }
}
