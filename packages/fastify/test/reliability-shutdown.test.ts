import type { ExecutionTimers } from '@routemeter/core'
import {
  deferred,
  type ProcessFaultWatch,
  type StatsdReceiver,
  sendHttpLoad,
  startStatsdReceiver,
  waitUntil,
  watchProcessFaults,
} from '@routemeter/core/testing'
import Fastify from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { listen, NO_INTERVAL, openRequest, requestCount } from './support'

const FAST = 500
const IN_FLIGHT = 20

describe('graceful shutdown of a Fastify app (app.close())', () => {
  let watch: ProcessFaultWatch
  let receiver: StatsdReceiver
  beforeEach(async () => {
    watch = watchProcessFaults()
    receiver = await startStatsdReceiver({ protocol: 'udp' })
  })
  afterEach(async () => {
    watch.stop()
    await receiver.close()
  })

  it('in-flight requests finish before the final flush, and every one of them is counted', async () => {
    const gate = deferred()
    const app = Fastify()
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/fast/:id', async () => 'fast')
    app.get<{ Params: { id: string } }>('/slow/:id', async (request) => {
      await request.metrics.time('slow.wait', () => gate.promise)
      return `slow ${request.params.id}`
    })
    const port = await listen(app)

    const fast = await sendHttpLoad({
      port,
      total: FAST,
      request: (i) => ({ method: 'GET', path: `/fast/${i}` }),
    })
    expect(fast.statuses).toEqual({ 200: FAST })
    const slow = Array.from({ length: IN_FLIGHT }, (_, i) => openRequest(port, 'GET', `/slow/${i}`))
    await waitUntil(
      () => app.metrics.stats().activeRequests === IN_FLIGHT,
      'all slow requests began',
    )

    let closed = false
    const closing = app.close().then(() => {
      closed = true
    })
    // Closing: no new connections, and nothing flushed or closed while requests are in flight.
    await waitUntil(() => !app.server.listening, 'the server stopped accepting')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(closed).toBe(false)
    expect(app.metrics.stats().closed).toBe(false)
    expect(receiver.lines()).toEqual([])

    gate.resolve()
    expect(await Promise.all(slow.map((request) => request.response))).toEqual(
      Array(IN_FLIGHT).fill(200),
    )
    await closing

    await receiver.waitFor((r) => requestCount(r) === FAST + IN_FLIGHT)
    expect(requestCount(receiver, { route: '/fast/:id', status_code: '200' })).toBe(FAST)
    expect(requestCount(receiver, { route: '/slow/:id', status_code: '200' })).toBe(IN_FLIGHT)
    expect(receiver.timings('slow.wait', { route: '/slow/:id' })).toHaveLength(IN_FLIGHT)
    const stats = app.metrics.stats()
    expect(stats).toMatchObject({ closed: true, activeRequests: 0, droppedLines: 0 })
    await receiver.waitFor((r) => r.lines().length === stats.lines)
    expect(watch.faults).toEqual([])
  })

  it('forceCloseConnections: the in-flight requests it cuts off are in the final flush, as 499', async () => {
    // Fastify's onClose hooks run last-registered first; the one that closes the server is
    // registered at ready, after every plugin, so it runs before routemeter's: the connections
    // are destroyed, then the meter closes. The aborted responses' `close` events come after
    // the server's, so close() waits (bounded) for the requests in flight.
    const gate = deferred()
    const app = Fastify({ forceCloseConnections: true })
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/fast/:id', async () => 'fast')
    let answered = 0
    app.get('/slow/:id', async () => {
      await gate.promise
      answered++
      return 'too late'
    })
    const port = await listen(app)
    const fast = await sendHttpLoad({
      port,
      total: FAST,
      request: (i) => ({ method: 'GET', path: `/fast/${i}` }),
    })
    expect(fast.statuses).toEqual({ 200: FAST })
    const slow = Array.from({ length: IN_FLIGHT }, (_, i) => openRequest(port, 'GET', `/slow/${i}`))
    await waitUntil(
      () => app.metrics.stats().activeRequests === IN_FLIGHT,
      'all slow requests began',
    )

    await app.close()
    expect(await Promise.all(slow.map((request) => request.response))).toEqual(
      Array(IN_FLIGHT).fill(undefined),
    )
    await receiver.waitFor((r) => requestCount(r) === FAST + IN_FLIGHT)
    expect(requestCount(receiver, { route: '/fast/:id', status_code: '200' })).toBe(FAST)
    expect(requestCount(receiver, { route: '/slow/:id', status_code: '499' })).toBe(IN_FLIGHT)
    expect(receiver.gauge('http.server.active_requests')).toBe(0)
    const stats = app.metrics.stats()
    expect(stats).toMatchObject({ closed: true, activeRequests: 0, droppedLines: 0 })

    // The handlers answer after close: into closed sockets, recorded nowhere, thrown nowhere.
    gate.resolve()
    await waitUntil(() => answered === IN_FLIGHT, 'the handlers answered')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(app.metrics.stats().lines).toBe(stats.lines)
    await receiver.waitFor((r) => r.lines().length === stats.lines)
    expect(watch.faults).toEqual([])
  })

  it('close() is idempotent, and recording after close is a no-op, never a throw', async () => {
    const app = Fastify()
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    let kept: ExecutionTimers | undefined
    app.get('/keep', async (request) => {
      kept = request.metrics
      return 'kept'
    })
    const port = await listen(app)
    expect(
      (await sendHttpLoad({ port, total: 1, request: () => ({ method: 'GET', path: '/keep' }) }))
        .statuses,
    ).toEqual({ 200: 1 })

    await app.close()
    // Again, and concurrently, in every order a shutdown path may produce.
    await Promise.all([app.metrics.close(), app.metrics.close(), app.close()])
    await app.metrics.close()
    await receiver.waitFor((r) => requestCount(r) === 1)
    const { lines } = app.metrics.stats()

    const meter = app.metrics
    expect(() => {
      meter.increment('late.count')
      meter.increment('late.count', 5, { a: 'b' })
      meter.decrement('late.count')
      meter.gauge('late.gauge', 1)
      meter.gaugeDelta('late.gauge', -1)
      meter.timing('late.timing', 3)
      meter.histogram('late.histogram', 3)
      meter.distribution('late.distribution', 3)
      meter.set('late.set', 'member')
      meter.timer('late.timer')()
      expect(meter.time('late.time', () => 42)).toBe(42)
      meter.recordRequest({ route: '/late', method: 'GET', statusCode: 200, durationMs: 1 })
      meter.route('/late').record('GET', 200, 1)
      meter.unmatched.record('GET', 404, 1)
      meter.requestEnded(meter.route('/late'), 'GET', 200, meter.requestStarted())
      kept?.timer('late.request.timer')()
      expect(kept?.time('late.request.time', () => 'value')).toBe('value')
    }).not.toThrow()
    await expect(kept?.time('late.async', async () => 'async')).resolves.toBe('async')
    await meter.flush()

    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(receiver.lines().filter((line) => line.includes('late'))).toEqual([])
    expect(app.metrics.stats()).toMatchObject({ lines, closed: true, activeRequests: 0 })
    expect(watch.faults).toEqual([])
  })
})
