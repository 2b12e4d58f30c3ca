import http from 'node:http'
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
 * Forced shutdown as an Express app does it: `server.close(() => metrics.close())` then
 * `server.closeAllConnections()`. The requests it cuts off are recorded once, as 499, in the
 * final flush (close() waits, bounded by closeWaitMs, for them to end).
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

describe.each(MAJORS)(
  '$major: forced shutdown (server.close(() => metrics.close()) + closeAllConnections())',
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
  },
)
