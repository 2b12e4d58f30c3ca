import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer, type HttpBindings } from '@hono/node-server'
import { closeMeasuredApp, countedBySeries, fetchAnswer } from '@routemeter/conformance'
import { type CaptureMeter, createCaptureMeter } from '@routemeter/core/testing'
import { Hono } from 'hono'
import { type RoutemeterEnv, type RoutemeterMiddleware, routemeter } from '../../src/index'

export type Env = RoutemeterEnv & { Bindings: HttpBindings }

/**
 * A Hono app with `app.use(routemeter())` first, recording into an in-memory meter (tag naming,
 * no prefix), served by @hono/node-server on a loopback port once a request is sent.
 */
export class MeasuredHono {
  readonly app = new Hono<Env>()
  readonly capture: CaptureMeter = createCaptureMeter({ prefix: null })
  readonly metrics: RoutemeterMiddleware = routemeter({ meter: this.capture.meter })
  private server: Server | undefined

  constructor() {
    this.app.use(this.metrics)
  }

  /** Sends one request through @hono/node-server and reads the whole answer. */
  async request(
    path: string,
    method = 'GET',
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    if (this.server === undefined) {
      const server = createAdaptorServer({ fetch: this.app.fetch }) as Server
      this.server = server
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    }
    const port = (this.server.address() as AddressInfo).port
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
