import http from 'node:http'
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
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { listen } from './support/async'
import { MAJORS } from './support/harness'

/**
 * Graceful shutdown as an Express app does it: `server.close()` stops accepting and waits for
 * the requests in flight, then `metrics.close()` flushes. Every request is counted exactly once;
 * `close()` may be called any number of times; recording after it is a no-op, never a throw.
 */

const FAST = 500
const IN_FLIGHT = 20

/** A request on a connection of its own (so `server.close()` is not kept waiting by idle ones). */
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

function serverClosed(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

describe.each(MAJORS)(
  '$major: graceful shutdown (server.close(), then metrics.close())',
  ({ express }) => {
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
      const metrics = routemeter({ port: receiver.port, prefix: null, flushIntervalMs: 3_600_000 })
      const app = express()
      app.use(metrics)
      app.get('/fast/:id', (_req, res) => {
        res.send('fast')
      })
      app.get('/slow/:id', async (req, res) => {
        await req.metrics.time('slow.wait', () => gate.promise)
        res.send(`slow ${req.params.id}`)
      })
      const server = http.createServer(app)
      const port = await listen(server)

      const fast = await sendHttpLoad({
        port,
        total: FAST,
        request: (i) => ({ method: 'GET', path: `/fast/${i}` }),
      })
      expect(fast.statuses).toEqual({ 200: FAST })
      const slow = Array.from({ length: IN_FLIGHT }, (_, i) => get(port, `/slow/${i}`))
      await waitUntil(
        () => metrics.meter.stats().activeRequests === IN_FLIGHT,
        'all slow requests began',
      )

      // The shutdown sequence of the README: stop accepting, wait for in-flight, then flush.
      let closed = false
      const shutdown = serverClosed(server)
        .then(() => metrics.close())
        .then(() => {
          closed = true
        })
      await waitUntil(() => !server.listening, 'the server stopped accepting')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(closed).toBe(false)
      expect(metrics.meter.stats().closed).toBe(false)
      expect(receiver.lines()).toEqual([])

      gate.resolve()
      expect(await Promise.all(slow)).toEqual(Array(IN_FLIGHT).fill(200))
      await shutdown

      const requests = (tags: Record<string, string>) =>
        receiver.counter('http.server.requests', tags)
      await receiver.waitFor(() => requests({}) === FAST + IN_FLIGHT)
      expect(requests({ route: '/fast/:id', status_code: '200' })).toBe(FAST)
      expect(requests({ route: '/slow/:id', status_code: '200' })).toBe(IN_FLIGHT)
      expect(receiver.timings('slow.wait', { route: '/slow/:id' })).toHaveLength(IN_FLIGHT)
      const stats = metrics.meter.stats()
      expect(stats).toMatchObject({ closed: true, activeRequests: 0, droppedLines: 0 })
      await receiver.waitFor((r) => r.lines().length === stats.lines)
      expect(watch.faults).toEqual([])
    })

    it('forced: server.close(() => metrics.close()) + closeAllConnections(): the cut-off requests are in the final flush, as 499', async () => {
      // The server's close callback runs before the destroyed sockets' responses emit `close`,
      // so metrics.close() waits (bounded by closeWaitMs) for the requests in flight to end.
      const gate = deferred()
      const metrics = routemeter({ port: receiver.port, prefix: null, flushIntervalMs: 3_600_000 })
      const app = express()
      app.use(metrics)
      app.get('/fast/:id', (_req, res) => {
        res.send('fast')
      })
      let answered = 0
      app.get('/slow/:id', async (_req, res) => {
        await gate.promise
        answered++
        res.send('too late')
      })
      const server = http.createServer(app)
      const port = await listen(server)
      const fast = await sendHttpLoad({
        port,
        total: FAST,
        request: (i) => ({ method: 'GET', path: `/fast/${i}` }),
      })
      expect(fast.statuses).toEqual({ 200: FAST })
      const slow = Array.from({ length: IN_FLIGHT }, (_, i) =>
        get(port, `/slow/${i}`).catch(() => 'reset'),
      )
      await waitUntil(
        () => metrics.meter.stats().activeRequests === IN_FLIGHT,
        'all slow requests began',
      )

      const closed = new Promise<void>((resolve, reject) => {
        server.close(() => metrics.close().then(resolve, reject))
      })
      server.closeAllConnections()
      await closed
      expect(await Promise.all(slow)).toEqual(Array(IN_FLIGHT).fill('reset'))

      const requests = (tags: Record<string, string>) =>
        receiver.counter('http.server.requests', tags)
      await receiver.waitFor(() => requests({}) === FAST + IN_FLIGHT)
      expect(requests({ route: '/fast/:id', status_code: '200' })).toBe(FAST)
      expect(requests({ route: '/slow/:id', status_code: '499' })).toBe(IN_FLIGHT)
      expect(receiver.gauge('http.server.active_requests')).toBe(0)
      const stats = metrics.meter.stats()
      expect(stats).toMatchObject({ closed: true, activeRequests: 0, droppedLines: 0 })

      // The handlers answer after close: into closed sockets, recorded nowhere, thrown nowhere.
      gate.resolve()
      await waitUntil(() => answered === IN_FLIGHT, 'the handlers answered')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(metrics.meter.stats().lines).toBe(stats.lines)
      await receiver.waitFor((r) => r.lines().length === stats.lines)
      expect(watch.faults).toEqual([])
    })

    it('close() is idempotent; after it the app serves on and recording is a no-op, never a throw', async () => {
      const metrics = routemeter({ port: receiver.port, prefix: null, flushIntervalMs: 3_600_000 })
      const app = express()
      app.use(metrics)
      let kept: ExecutionTimers | undefined
      app.get('/work/:id', (req, res) => {
        kept = req.metrics
        req.metrics.timer('work.step')()
        res.send(String(req.metrics.time('work.compute', () => 6 * 7)))
      })
      const server = http.createServer(app)
      const port = await listen(server)
      const load = (total: number) =>
        sendHttpLoad({ port, total, request: (i) => ({ method: 'GET', path: `/work/${i}` }) })
      expect((await load(10)).statuses).toEqual({ 200: 10 })

      await Promise.all([metrics.close(), metrics.close()])
      await metrics.close()
      await receiver.waitFor((r) => r.counter('http.server.requests') === 10)
      const { lines } = metrics.meter.stats()

      // The app keeps serving after metrics are closed; requests are answered and not recorded.
      const after = await sendHttpLoad({
        port,
        total: 100,
        request: (i) => ({ method: 'GET', path: `/work/${i}` }),
        onResponse(_i, response) {
          expect(response.body).toBe('42')
        },
      })
      expect(after.statuses).toEqual({ 200: 100 })
      const meter = metrics.meter
      expect(() => {
        meter.increment('late.count', 5, { a: 'b' })
        meter.gauge('late.gauge', 1)
        meter.timing('late.timing', 3)
        meter.set('late.set', 'member')
        expect(meter.time('late.time', () => 42)).toBe(42)
        meter.recordRequest({ route: '/late', method: 'GET', statusCode: 200, durationMs: 1 })
        kept?.timer('late.request.timer')()
        expect(kept?.time('late.request.time', () => 'value')).toBe('value')
      }).not.toThrow()
      await meter.flush()
      await metrics.close()
      await serverClosed(server)

      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(receiver.counter('http.server.requests')).toBe(10)
      expect(receiver.lines().filter((line) => line.includes('late'))).toEqual([])
      expect(meter.stats()).toMatchObject({ lines, closed: true, activeRequests: 0 })
      expect(watch.faults).toEqual([])
    })
  },
)
