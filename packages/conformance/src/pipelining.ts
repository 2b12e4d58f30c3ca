import { CLIENT_CLOSED_REQUEST } from '@routemeter/core'
import { waitUntil } from '@routemeter/core/testing'
import { deferred, openRawConnection, rawRequest } from '@routemeter/test-support'
import type { RouteSpec } from './adapter'
import { type Measured, measured } from './measured'
import type { SuiteContext } from './suite'

/**
 * HTTP/1.1 pipelining: a client sends several requests on one connection without waiting.
 * Node runs their handlers at once but queues each response behind the one before it; the
 * queued responses have no socket, and when the connection dies Node 20 neither finishes nor
 * closes them. Each request must still be recorded once, and the active-requests gauge must
 * come back to 0.
 */
export function pipeliningSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  function slowAndFast() {
    const entered = deferred()
    const release = deferred()
    const answered = deferred()
    const routes: RouteSpec[] = [
      {
        method: 'GET',
        path: '/slow/:id',
        async handler() {
          entered.resolve()
          await release.promise
          answered.resolve()
          return { text: 'slow' }
        },
      },
      { method: 'GET', path: '/fast/:id', handler: () => ({ text: 'fast' }) },
      // A queued POST whose body was read: its request stream closes long before the socket.
      { method: 'POST', path: '/orders', handler: ({ body }) => ({ json: { got: body } }) },
    ]
    return { entered, release, answered, routes }
  }

  const PIPELINE =
    rawRequest('GET', '/slow/1') +
    rawRequest('GET', '/fast/2') +
    rawRequest('POST', '/orders', {
      body: '{"item":3}',
      headers: { 'content-type': 'application/json' },
    }) +
    rawRequest('GET', '/missing')

  describe(`${factory.name}: pipelined requests`, () => {
    let subject: Measured | undefined
    afterEach(async () => {
      await subject?.close()
      subject = undefined
    })

    it('queued behind a slow one when the client hangs up: each recorded once as 499, gauge back to 0', async () => {
      const gate = slowAndFast()
      subject = await measured(factory, { routes: gate.routes }, 'tags')
      const { meter, read } = subject
      const connection = await openRawConnection(subject.app.port)
      connection.write(PIPELINE)
      await gate.entered.promise
      await waitUntil(() => meter.stats().activeRequests === 4, 'all four requests started')

      connection.abort()
      await connection.closed
      await waitUntil(() => meter.stats().activeRequests === 0, 'every request ended')
      gate.release.resolve()
      await gate.answered.promise
      await subject.settle()

      expect(connection.statuses()).toEqual([])
      expect(read.series()).toEqual({
        [read.key('/slow/:id', 'GET', CLIENT_CLOSED_REQUEST)]: 1,
        [read.key('/fast/:id', 'GET', CLIENT_CLOSED_REQUEST)]: 1,
        [read.key('/orders', 'POST', CLIENT_CLOSED_REQUEST)]: 1,
        [read.key(null, 'GET', CLIENT_CLOSED_REQUEST)]: 1,
      })
      expect(subject.receiver.gauge('http.server.active_requests')).toBe(0)
    })

    it('answered in order when the client stays: each recorded once with its status', async () => {
      const gate = slowAndFast()
      subject = await measured(factory, { routes: gate.routes }, 'tags')
      const { meter, read } = subject
      const connection = await openRawConnection(subject.app.port)
      connection.write(PIPELINE)
      await waitUntil(() => meter.stats().activeRequests === 4, 'all four requests started')
      gate.release.resolve()
      await waitUntil(() => connection.statuses().length === 4, 'four responses')
      connection.abort()
      await subject.settle()

      expect(connection.statuses()).toEqual([200, 200, 200, 404])
      expect(read.series()).toEqual({
        [read.key('/slow/:id', 'GET', 200)]: 1,
        [read.key('/fast/:id', 'GET', 200)]: 1,
        [read.key('/orders', 'POST', 200)]: 1,
        [read.key(null, 'GET', 404)]: 1,
      })
      expect(subject.receiver.gauge('http.server.active_requests')).toBe(0)
    })
  })
}
