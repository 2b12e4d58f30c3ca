import http from 'node:http'
import type { ExecutionTimers, Meter } from '@routemeter/core'
import { waitUntil } from '@routemeter/core/testing'
import { deferred, sendHttpLoad } from '@routemeter/test-support'
import type { Handler } from './adapter'
import { fixture } from './fixture'
import { NO_INTERVAL } from './net'
import type { SuiteContext } from './suite'

/**
 * Shutdown the framework's way (the README's sequence for each: `app.close()`, or
 * `server.close()` then `metrics.close()`): requests in flight finish before the final flush and
 * every request is counted exactly once; a forced shutdown records the requests it cuts off, as
 * 499, in the final flush; `close()` may be called any number of times; recording
 * after it is a no-op, never a throw.
 */

const FAST = 500
const IN_FLIGHT = 20

/** A request on a connection of its own (so closing is not kept waiting by idle ones). */
function get(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      })
      .on('error', reject)
  })
}

/** Every call a shutdown path may leave behind; none may throw or send. */
function recordLate(
  meter: Meter,
  kept: ExecutionTimers | undefined,
  expect: SuiteContext['test']['expect'],
) {
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
}

export function shutdownSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect } = test

  describe(`${factory.name}: shutdown`, () => {
    const f = fixture(test, 'udp')
    /** An app of one GET route, measured into the fixture's receiver. */
    const oneRoute = (path: string, handler: Handler) =>
      factory.start(
        { routes: [{ method: 'GET', path, handler }] },
        { port: f.receiver.port, prefix: null, flushIntervalMs: NO_INTERVAL },
      )
    const requests = (tags: Record<string, string> = {}) =>
      f.receiver.counter('http.server.requests', tags)

    it('in-flight requests finish before the final flush, and every one of them is counted', async () => {
      const gate = deferred()
      f.app = await factory.start(
        {
          routes: [
            { method: 'GET', path: '/fast/:id', handler: () => ({ text: 'fast' }) },
            {
              method: 'GET',
              path: '/slow/:id',
              async handler({ params, metrics }) {
                await metrics?.time('slow.wait', () => gate.promise)
                return { text: `slow ${params.id}` }
              },
            },
          ],
        },
        { port: f.receiver.port, prefix: null, flushIntervalMs: NO_INTERVAL },
      )
      const { port, server } = f.app
      const meter = f.app.meter as Meter

      const fast = await sendHttpLoad({
        port,
        total: FAST,
        request: (i) => ({ method: 'GET', path: `/fast/${i}` }),
      })
      expect(fast.statuses).toEqual({ 200: FAST })
      const slow = Array.from({ length: IN_FLIGHT }, (_, i) => get(port, `/slow/${i}`))
      await waitUntil(() => meter.stats().activeRequests === IN_FLIGHT, 'all slow requests began')

      // Closing: no new connections, and nothing flushed or closed while requests are in flight.
      let closed = false
      const shutdown = f.app.shutdown().then(() => {
        closed = true
      })
      await waitUntil(() => !server.listening, 'the server stopped accepting')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(closed).toBe(false)
      expect(meter.stats().closed).toBe(false)
      expect(f.receiver.lines()).toEqual([])

      gate.resolve()
      expect(await Promise.all(slow)).toEqual(Array(IN_FLIGHT).fill(200))
      await shutdown

      await f.receiver.waitFor(() => requests() === FAST + IN_FLIGHT)
      expect(requests({ route: '/fast/:id', status_code: '200' })).toBe(FAST)
      expect(requests({ route: '/slow/:id', status_code: '200' })).toBe(IN_FLIGHT)
      expect(f.receiver.timings('slow.wait', { route: '/slow/:id' })).toHaveLength(IN_FLIGHT)
      const stats = meter.stats()
      expect(stats).toMatchObject({ closed: true, activeRequests: 0, droppedLines: 0 })
      await f.receiver.waitFor((r) => r.lines().length === stats.lines)
      expect(f.watch.faults).toEqual([])
    })

    it('forced: the requests it cuts off are in the final flush, once each, as 499', async () => {
      // The connections die while the metrics close: close() waits (bounded by closeWaitMs) for
      // the cut-off requests to end, so none is lost after the final flush.
      const gate = deferred()
      let answered = 0
      f.app = await factory.start(
        {
          forceCloseConnections: true,
          routes: [
            { method: 'GET', path: '/fast/:id', handler: () => ({ text: 'fast' }) },
            {
              method: 'GET',
              path: '/slow/:id',
              async handler() {
                await gate.promise
                answered++
                return { text: 'too late' }
              },
            },
          ],
        },
        { port: f.receiver.port, prefix: null, flushIntervalMs: NO_INTERVAL },
      )
      const { port } = f.app
      const meter = f.app.meter as Meter
      const fast = await sendHttpLoad({
        port,
        total: FAST,
        request: (i) => ({ method: 'GET', path: `/fast/${i}` }),
      })
      expect(fast.statuses).toEqual({ 200: FAST })
      const slow = Array.from({ length: IN_FLIGHT }, (_, i) =>
        get(port, `/slow/${i}`).catch(() => 'cut off'),
      )
      await waitUntil(() => meter.stats().activeRequests === IN_FLIGHT, 'all slow requests began')

      await f.app.shutdown()
      expect(await Promise.all(slow)).toEqual(Array(IN_FLIGHT).fill('cut off'))
      await f.receiver.waitFor(() => requests() === FAST + IN_FLIGHT)
      expect(requests({ route: '/fast/:id', status_code: '200' })).toBe(FAST)
      expect(requests({ route: '/slow/:id', status_code: '499' })).toBe(IN_FLIGHT)
      expect(f.receiver.gauge('http.server.active_requests')).toBe(0)
      const stats = meter.stats()
      expect(stats).toMatchObject({ closed: true, activeRequests: 0, droppedLines: 0 })

      // The handlers answer after the shutdown: into closed sockets, recorded nowhere, thrown nowhere.
      gate.resolve()
      await waitUntil(() => answered === IN_FLIGHT, 'the handlers answered')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(meter.stats().lines).toBe(stats.lines)
      await f.receiver.waitFor((r) => r.lines().length === stats.lines)
      expect(f.watch.faults).toEqual([])
    })

    it('shutdown is idempotent, and recording after it is a no-op, never a throw', async () => {
      let kept: ExecutionTimers | undefined
      f.app = await oneRoute('/keep', ({ metrics }) => {
        kept = metrics
        return { text: 'kept' }
      })
      const meter = f.app.meter as Meter
      const one = await sendHttpLoad({
        port: f.app.port,
        total: 1,
        request: () => ({ method: 'GET', path: '/keep' }),
      })
      expect(one.statuses).toEqual({ 200: 1 })

      await f.app.shutdown()
      // Again, and concurrently, in every order a shutdown path may produce.
      await Promise.all([f.app.closeMetrics(), f.app.closeMetrics(), f.app.shutdown()])
      await f.app.closeMetrics()
      await f.receiver.waitFor(() => requests() === 1)
      const { lines } = meter.stats()

      expect(() => recordLate(meter, kept, expect)).not.toThrow()
      await expect(kept?.time('late.async', async () => 'async')).resolves.toBe('async')
      await meter.flush()

      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(f.receiver.lines().filter((line) => line.includes('late'))).toEqual([])
      expect(meter.stats()).toMatchObject({ lines, closed: true, activeRequests: 0 })
      expect(f.watch.faults).toEqual([])
    })

    it('closing the metrics alone is idempotent; the app serves on, and recording is a no-op, never a throw', async () => {
      let kept: ExecutionTimers | undefined
      f.app = await oneRoute('/work/:id', ({ metrics }) => {
        kept = metrics
        metrics?.timer('work.step')()
        return { text: String(metrics?.time('work.compute', () => 6 * 7)) }
      })
      const { port } = f.app
      const meter = f.app.meter as Meter
      const load = (total: number) =>
        sendHttpLoad({
          port,
          total,
          request: (i) => ({ method: 'GET', path: `/work/${i}` }),
          onResponse(_i, response) {
            expect(response.body).toBe('42')
          },
        })
      expect((await load(10)).statuses).toEqual({ 200: 10 })

      await Promise.all([f.app.closeMetrics(), f.app.closeMetrics()])
      await f.app.closeMetrics()
      await f.receiver.waitFor(() => requests() === 10)
      const { lines } = meter.stats()

      // The app keeps serving after metrics are closed; requests are answered and not recorded.
      expect((await load(100)).statuses).toEqual({ 200: 100 })
      expect(() => recordLate(meter, kept, expect)).not.toThrow()
      await meter.flush()
      await f.app.closeMetrics()
      await f.app.shutdown()

      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(requests()).toBe(10)
      expect(f.receiver.lines().filter((line) => line.includes('late'))).toEqual([])
      expect(meter.stats()).toMatchObject({ lines, closed: true, activeRequests: 0 })
      expect(f.watch.faults).toEqual([])
    })
  })
}
