import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { closeMeasuredApp, countedBySeries, fetchAnswer } from '@routemeter/conformance'
import { type CaptureMeter, createCaptureMeter } from '@routemeter/core/testing'
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
    return fetchAnswer(port, path, method, headers)
  }

  /** Waits for `total` requests to have ended, flushes, and returns the counts by series. */
  counted(total: number): Promise<Record<string, number>> {
    return countedBySeries(this.capture, total)
  }

  close(): Promise<void> {
    return closeMeasuredApp(this.server, this.metrics, this.capture)
  }
}

/** The key `counted()` files a request under. */
export { seriesKey as key } from '@routemeter/conformance'
