import type { Server } from 'node:http'
import { Readable } from 'node:stream'
import { CLIENT_CLOSED_REQUEST } from '@routemeter/core'

/** The status Node's own `requestTimeout` answers with. */
const REQUEST_TIMEOUT = 408

import { waitUntil } from '@routemeter/core/testing'
import { deferred, openRawConnection, rawRequest } from '@routemeter/test-support'
import type { RouteSpec } from './adapter'
import { type Measured, measured } from './measured'
import type { SuiteContext } from './suite'

/**
 * Node's `requestTimeout` closes a connection whose request has not fully arrived. When the
 * response has not started, Node (or Fastify's clientError handler) writes a 408 first: the
 * client got a 408, so 408 is recorded. When the app already answered — head sent, body
 * streaming — the client got that status and then lost the connection: 499, never 408.
 * (A body parser mounted app-wide ahead of the routes waits for the body before any route
 * matched: there the 408 is `unmatched`, as the README says.)
 */
export function requestTimeoutSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  /** Held until the test ends: the upload route never answers on its own. */
  let held = deferred()

  const routes: RouteSpec[] = [
    {
      method: 'POST',
      path: '/uploads/:id',
      // Routed, then waiting (as a handler streaming the upload somewhere would) for a body
      // that stops arriving. Sent as text/plain, which the factories' JSON parsers leave alone.
      handler: async () => {
        await held.promise
        return { status: 201 }
      },
    },
    {
      method: 'GET',
      path: '/feed/:id',
      // Answers at once, without reading the body, and never ends the stream.
      handler: () => {
        const stream = new Readable({ read() {} })
        stream.push('first,')
        return { stream }
      },
    },
  ]

  /** The server's timeouts made short: Node checks for expired requests every 30 s by default. */
  const shortTimeouts = {
    onServer(server: Server) {
      server.requestTimeout = 300
      // Fastify sets requestTimeout after creating its server, leaving headersTimeout at 60 s.
      server.headersTimeout = 300
      ;(server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 20
    },
  }

  describe(`${factory.name}: Node's requestTimeout`, () => {
    let subject: Measured | undefined
    afterEach(async () => {
      held.resolve()
      held = deferred()
      await subject?.close()
      subject = undefined
    })

    it('a stalled upload its route was waiting for is recorded once as the 408 the client got, under the route', async () => {
      subject = await measured(factory, { routes }, 'tags', {}, shortTimeouts)
      const connection = await openRawConnection(subject.app.port)
      connection.write(
        rawRequest('POST', '/uploads/1', {
          body: 'part',
          contentLength: 1000,
          headers: { 'content-type': 'text/plain' },
        }),
      )
      await connection.closed
      await subject.settle()
      expect(connection.statuses()).toEqual([REQUEST_TIMEOUT])
      expect(subject.read.series()).toEqual({
        [subject.read.key('/uploads/:id', 'POST', REQUEST_TIMEOUT)]: 1,
      })
    })

    it("a stalled JSON upload the app's body parser waits for: the 408 the client got, counted once", async () => {
      subject = await measured(factory, { routes }, 'tags', {}, shortTimeouts)
      const connection = await openRawConnection(subject.app.port)
      connection.write(
        rawRequest('POST', '/uploads/1', {
          body: '{"part":',
          contentLength: 1000,
          headers: { 'content-type': 'application/json' },
        }),
      )
      await connection.closed
      await subject.settle()
      expect(connection.statuses()).toEqual([REQUEST_TIMEOUT])
      // Under the route where the framework routes before parsing (Fastify, Hono), `unmatched`
      // where the parser is app-wide middleware ahead of the router (the Express and Koa apps
      // here). Either way not 499: the parser's error handler answering into the dead socket
      // after Node's 408 makes the head look sent, and the end must be read before that.
      const series = Object.entries(subject.read.series())
      expect(series).toHaveLength(1)
      expect([
        subject.read.key('/uploads/:id', 'POST', REQUEST_TIMEOUT),
        subject.read.key(null, 'POST', REQUEST_TIMEOUT),
      ]).toContain(series[0]?.[0])
      expect(series[0]?.[1]).toBe(1)
    })

    it('a 200 already on its way, then cut by the timeout: 499, never 408', async () => {
      subject = await measured(factory, { routes }, 'tags', {}, shortTimeouts)
      const { meter } = subject
      const connection = await openRawConnection(subject.app.port)
      // A body announced and never finished keeps the request incomplete.
      connection.write(rawRequest('GET', '/feed/1', { body: 'x', contentLength: 1000 }))
      await waitUntil(() => connection.statuses().length === 1, 'the 200 head arrived')
      await connection.closed
      await waitUntil(() => meter.stats().activeRequests === 0, 'the request ended')
      await subject.settle()
      // Fastify's client-error handler writes its 408 even then, into the body under way: what
      // a client reads as a response is the 200 alone.
      expect(connection.statuses()[0]).toBe(200)
      expect(subject.read.series()).toEqual({
        [subject.read.key('/feed/:id', 'GET', CLIENT_CLOSED_REQUEST)]: 1,
      })
    })
  })
}
