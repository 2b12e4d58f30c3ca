import { Readable } from 'node:stream'
import { CLIENT_CLOSED_REQUEST } from '@routemeter/core'
import { waitUntil } from '@routemeter/core/testing'
import { type Deferred, deferred } from '@routemeter/test-support'
import type { Handler } from './adapter'
import { fetchText, startRequest } from './client'
import { type Measured, measured, NAMINGS } from './measured'
import type { SuiteContext } from './suite'

/**
 * A request ends exactly once, however it ends: a client that leaves before the response is
 * finished counts once as 499 (not the status it may have seen, not again when the handler
 * answers later), and so does a connection the server's own timeout hangs up.
 */

interface Gate {
  readonly entered: Deferred
  readonly release: Deferred
  readonly finished: Deferred
  readonly handler: Handler
}

/** A handler that waits for the test; `entered` and `finished` tell where it is. */
function gate(): Gate {
  const entered = deferred()
  const release = deferred()
  const finished = deferred()
  return {
    entered,
    release,
    finished,
    async handler() {
      entered.resolve()
      await release.promise
      finished.resolve()
      return { json: { late: true } }
    },
  }
}

export function abortsSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  describe.each(NAMINGS)(
    `${factory.name}, %s naming: clients that leave before the response is finished count once, as 499`,
    (naming) => {
      let subject: Measured | undefined
      afterEach(async () => {
        await subject?.close()
        subject = undefined
      })

      it.each(['GET', 'POST'] as const)(
        '%s: aborted while the nested route works, then the handler answers: one 499, with its duration',
        async (method) => {
          const slow = gate()
          subject = await measured(
            factory,
            { routes: [{ method, path: '/:id', prefix: '/reports', handler: slow.handler }] },
            naming,
          )
          const { app, meter, read } = subject
          // A POST whose body was read is the case Fastify's onRequestAbort hook misses.
          const client = startRequest(
            app.port,
            method,
            '/reports/7',
            method === 'POST' ? '{"q":1}' : undefined,
          )
          await slow.entered.promise
          client.abandon()
          await client.closed
          await waitUntil(() => meter.stats().activeRequests === 0, 'the abort is recorded')
          // The handler's late answer goes nowhere and must not count a second time.
          slow.release.resolve()
          await slow.finished.promise
          await subject.settle()
          expect(read.series()).toEqual({
            [read.key('/reports/:id', method, CLIENT_CLOSED_REQUEST)]: 1,
          })
          expect(read.durations('/reports/:id', method, CLIENT_CLOSED_REQUEST)).toHaveLength(1)
        },
      )

      it('a client that leaves in the middle of a streamed body is 499, not the 200 it saw', async () => {
        const bodyClosed = deferred()
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/stream/:topic',
                handler() {
                  const body = new Readable({ read() {} })
                  body.push('first chunk\n')
                  body.on('close', () => bodyClosed.resolve())
                  return { stream: body }
                },
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        const client = startRequest(app.port, 'GET', '/stream/news')
        expect(await client.head).toBe(200)
        await client.firstChunk
        client.abandon()
        await bodyClosed.promise
        await subject.settle()
        expect(read.series()).toEqual({
          [read.key('/stream/:topic', 'GET', CLIENT_CLOSED_REQUEST)]: 1,
        })
      })

      it('completed requests on the same server are unaffected, and every request ends once', async () => {
        const slow = gate()
        subject = await measured(
          factory,
          {
            routes: [
              { method: 'GET', path: '/slow', handler: slow.handler },
              { method: 'GET', path: '/fast', handler: () => ({ text: 'ok' }) },
            ],
          },
          naming,
        )
        const { app, meter, read } = subject
        const client = startRequest(app.port, 'GET', '/slow')
        await slow.entered.promise
        expect((await fetchText(app.port, 'GET', '/fast')).status).toBe(200)
        expect(meter.stats().activeRequests).toBe(1)
        client.abandon()
        await client.closed
        await waitUntil(() => meter.stats().activeRequests === 0, 'the server saw the abort')
        slow.release.resolve()
        await slow.finished.promise
        await subject.settle()
        expect(read.series()).toEqual({
          [read.key('/fast', 'GET', 200)]: 1,
          [read.key('/slow', 'GET', CLIENT_CLOSED_REQUEST)]: 1,
        })
        expect(meter.stats().activeRequests).toBe(0)
      })

      it('the server’s connection timeout hangs up with nothing sent: recorded once, as 499', async () => {
        const stuck = gate()
        subject = await measured(
          factory,
          {
            routes: [
              { method: 'GET', path: '/stuck/:id', handler: stuck.handler },
              { method: 'GET', path: '/quick', handler: () => ({ text: 'ok' }) },
            ],
          },
          naming,
        )
        const { app, meter, read } = subject
        // Node's socket timeout (Fastify's `connectionTimeout`, `server.setTimeout()` elsewhere).
        app.server.setTimeout(100)
        expect((await fetchText(app.port, 'GET', '/quick')).status).toBe(200)
        const client = startRequest(app.port, 'GET', '/stuck/1')
        await stuck.entered.promise
        // The server hangs up: the client gets no response at all.
        expect(await client.head).toBeUndefined()
        // Let the handler reply into the closed socket; that must not count a second time.
        stuck.release.resolve()
        await stuck.finished.promise
        await subject.settle()
        // No response went out, so there is no status to report but "closed before a response".
        expect(read.series()).toEqual({
          [read.key('/quick', 'GET', 200)]: 1,
          [read.key('/stuck/:id', 'GET', CLIENT_CLOSED_REQUEST)]: 1,
        })
        expect(meter.stats().activeRequests).toBe(0)
      })
    },
  )
}
