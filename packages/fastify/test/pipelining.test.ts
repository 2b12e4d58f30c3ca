import { waitUntil } from '@routemeter/core/testing'
import { openRawConnection, rawRequest } from '@routemeter/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { deferred, listen, type MeasuredApp, measuredApp, requestSeries, settle } from './support'

/**
 * HTTP/1.1 pipelining: a client sends several requests on one connection without waiting.
 * Node runs their handlers at once but queues each response behind the one before it; the
 * queued responses have no socket, and when the connection dies Node 20 neither finishes nor
 * closes them. Each request must still be recorded once, and the active-requests gauge must
 * come back to 0.
 */
describe('pipelined requests', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  function slowAndFast() {
    const entered = deferred()
    const release = deferred()
    const answered = deferred()
    const register = (app: MeasuredApp['app']): void => {
      app.get('/slow/:id', async () => {
        entered.resolve()
        await release.promise
        answered.resolve()
        return 'slow'
      })
      app.get('/fast/:id', async () => 'fast')
      app.post('/orders', async (request) => ({ got: request.body }))
    }
    return { entered, release, answered, register }
  }

  it('queued behind a slow one when the client hangs up: each recorded once as 499, gauge back to 0', async () => {
    const gate = slowAndFast()
    subject = await measuredApp(gate.register)
    const { app, receiver } = subject
    const connection = await openRawConnection(await listen(app))
    connection.write(
      rawRequest('GET', '/slow/1') +
        rawRequest('GET', '/fast/2') +
        // A queued POST whose body was read: its request stream closes long before the socket.
        rawRequest('POST', '/orders', {
          body: '{"item":3}',
          headers: { 'content-type': 'application/json' },
        }) +
        rawRequest('GET', '/fast/4'),
    )
    await gate.entered.promise
    await waitUntil(() => app.metrics.stats().activeRequests === 4, 'all four handlers ran')

    connection.abort()
    await connection.closed
    await waitUntil(() => app.metrics.stats().activeRequests === 0, 'every request ended')
    gate.release.resolve()
    await gate.answered.promise
    await settle(app, receiver)

    expect(connection.statuses()).toEqual([])
    expect(requestSeries(receiver)).toEqual({
      'GET /slow/:id 499': 1,
      'GET /fast/:id 499': 2,
      'POST /orders 499': 1,
    })
    expect(receiver.gauge('http.server.active_requests')).toBe(0)
  })

  it('answered in order when the client stays: each recorded once with its status', async () => {
    const gate = slowAndFast()
    subject = await measuredApp(gate.register)
    const { app, receiver } = subject
    const connection = await openRawConnection(await listen(app))
    connection.write(
      rawRequest('GET', '/slow/1') +
        rawRequest('GET', '/fast/2') +
        rawRequest('POST', '/orders', {
          body: '{"item":3}',
          headers: { 'content-type': 'application/json' },
        }) +
        rawRequest('GET', '/missing'),
    )
    await waitUntil(() => app.metrics.stats().activeRequests === 4, 'all four handlers ran')
    gate.release.resolve()
    await waitUntil(() => connection.statuses().length === 4, 'four responses')
    connection.abort()
    await settle(app, receiver)

    expect(connection.statuses()).toEqual([200, 200, 200, 404])
    expect(requestSeries(receiver)).toEqual({
      'GET /slow/:id 200': 1,
      'GET /fast/:id 200': 1,
      'POST /orders 200': 1,
      'GET unmatched 404': 1,
    })
    expect(receiver.gauge('http.server.active_requests')).toBe(0)
  })
})
