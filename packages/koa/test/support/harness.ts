import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sanitizeTagValue } from '@routemeter/core'
import { type CaptureMeter, createCaptureMeter, waitUntil } from '@routemeter/core/testing'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from '../../src/index'

export type KoaConstructor = typeof Koa3

/** Koa 3 and the newest Koa 2; framework-specific tests run on both (`describe.each(MAJORS)`). */
export const MAJORS: ReadonlyArray<{ readonly major: string; readonly Koa: KoaConstructor }> = [
  { major: 'Koa 3', Koa: Koa3 },
  { major: 'Koa 2', Koa: Koa2 },
]

/**
 * A Koa app with `app.use(routemeter())` first, recording into an in-memory meter (tag naming,
 * no prefix), served on a loopback port once `listen()` is called.
 */
export class MeasuredKoa {
  readonly app: InstanceType<KoaConstructor>
  readonly capture: CaptureMeter
  readonly metrics: RoutemeterMiddleware
  private server: http.Server | undefined

  constructor(Koa: KoaConstructor, options: Omit<RoutemeterOptions, 'meter'> = {}) {
    this.capture = createCaptureMeter({ prefix: null, ...options })
    this.app = new Koa()
    this.app.silent = true
    this.metrics = routemeter({ meter: this.capture.meter })
    this.app.use(this.metrics)
  }

  async listen(): Promise<number> {
    const server = http.createServer(this.app.callback())
    this.server = server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return (server.address() as AddressInfo).port
  }

  /** Sends one request and reads the whole answer. */
  async request(
    path: string,
    method = 'GET',
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? (await this.listen())
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers })
    return { status: response.status, body: await response.text() }
  }

  /** Waits for `total` requests to have ended, flushes, and returns the counts by series. */
  async counted(total: number): Promise<Record<string, number>> {
    const meter = this.capture.meter
    await waitUntil(() => meter.stats().activeRequests === 0, 'every request has ended')
    await meter.flush()
    const counts: Record<string, number> = {}
    for (const sample of this.capture.find('http.server.requests')) {
      const { route, method, status_code } = sample.tags
      const key = `${method} ${route} ${status_code}`
      counts[key] = (counts[key] ?? 0) + Number(sample.values[0])
    }
    const sum = Object.values(counts).reduce((a, b) => a + b, 0)
    if (sum !== total)
      throw new Error(`${sum} requests counted, ${total} expected: ${JSON.stringify(counts)}`)
    return counts
  }

  async close(): Promise<void> {
    const server = this.server
    if (server !== undefined) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    await this.metrics.close()
    await this.capture.meter.close()
  }
}

/** The key `counted()` files a request under: the route as the wire carries it (DogStatsD tags). */
export function key(method: string, route: string, status: number): string {
  return `${method} ${sanitizeTagValue(route, 'dogstatsd')} ${status}`
}
