import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type StatsdReceiver, startStatsdReceiver } from '@routemeter/core/testing'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import routemeter, { type RoutemeterOptions } from '../src/index'

/** Nothing is sent on the interval during a test: only explicit flushes and close send. */
export const NO_INTERVAL = 3_600_000

import { waitUntil } from '@routemeter/core/testing'

export { type Deferred, deferred } from '@routemeter/test-support'
/** Polls `check` until it holds; the way to wait for an event the test cannot await directly. */
export const eventually = waitUntil

export interface MeasuredApp {
  readonly app: FastifyInstance
  readonly receiver: StatsdReceiver
  close(): Promise<void>
}

/**
 * A Fastify app with routemeter registered first, sending to its own real UDP receiver, with
 * the interval flush off. `routes` runs after the plugin is registered.
 */
export async function measuredApp(
  routes: (app: FastifyInstance) => void | Promise<void> = () => {},
  options: RoutemeterOptions = {},
  fastifyOptions: FastifyServerOptions = {},
): Promise<MeasuredApp> {
  const receiver = await startStatsdReceiver({ protocol: 'udp' })
  const app = Fastify(fastifyOptions)
  await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL, ...options })
  await routes(app)
  await app.ready()
  return {
    app,
    receiver,
    async close() {
      await app.close()
      await receiver.close()
    },
  }
}

let sentinels = 0

/**
 * Flushes, then waits until everything flushed has arrived: a sentinel counter goes out after
 * it on the same socket, and loopback UDP keeps order. Exact-count assertions follow this.
 */
export async function settle(app: FastifyInstance, receiver: StatsdReceiver): Promise<void> {
  await eventually(() => app.metrics.stats().activeRequests <= 0, 'every request has ended')
  const id = String(++sentinels)
  app.metrics.increment('test.sentinel', { id })
  await app.metrics.flush()
  await receiver.waitFor((r) => r.counter('test.sentinel', { id }) > 0)
}

/** Request counter for the given tags (tag style), as the receiver summed it. */
export function requestCount(
  receiver: StatsdReceiver,
  tags: Readonly<Record<string, string>> = {},
): number {
  return receiver.counter('http.server.requests', tags)
}

/** Every request series seen, as `METHOD route status` → count. */
export function requestSeries(receiver: StatsdReceiver): Record<string, number> {
  const out: Record<string, number> = {}
  for (const sample of receiver.find('http.server.requests')) {
    const key = `${sample.tags.method} ${sample.tags.route} ${sample.tags.status_code}`
    out[key] = (out[key] ?? 0) + Number(sample.values[0])
  }
  return out
}

export async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

export interface OpenRequest {
  /** Resolves with the status once a response head arrives, or `undefined` if the socket closes first. */
  readonly response: Promise<number | undefined>
  /** Resolves when the client's socket has closed, for whatever reason. */
  readonly closed: Promise<void>
  /** Drops the connection, as a client that gives up does. */
  abort(): void
}

/** A real HTTP request on its own connection, which the test can abandon. */
export function openRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
): OpenRequest {
  const headers: http.OutgoingHttpHeaders =
    body === undefined ? {} : { 'content-type': 'application/json' }
  const request = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false })
  const response = new Promise<number | undefined>((resolve) => {
    request.on('response', (res) => {
      resolve(res.statusCode)
      res.resume()
      res.on('error', () => {})
    })
    request.on('close', () => resolve(undefined))
  })
  const closed = new Promise<void>((resolve) => request.on('close', () => resolve()))
  request.on('error', () => {})
  request.end(body)
  return { response, closed, abort: () => request.destroy() }
}

/** Reads until `check` holds on what was read, and returns that; for asynchronous sources. */
export async function readUntil<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (check(value)) return value
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
