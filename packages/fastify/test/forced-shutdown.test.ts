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

describe('forced shutdown of a Fastify app (forceCloseConnections + app.close())', () => {
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
})
