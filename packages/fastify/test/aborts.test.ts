import { Readable } from 'node:stream'
import { CLIENT_CLOSED_REQUEST } from '@routemeter/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  deferred,
  eventually,
  listen,
  type MeasuredApp,
  measuredApp,
  openRequest,
  requestSeries,
  settle,
} from './support'

describe('clients that leave before the response is sent count once, as 499', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  /** A route whose handler waits for the test; `entered` and `finished` tell where it is. */
  function gatedRoute(method: 'GET' | 'POST', url: string) {
    const entered = deferred()
    const release = deferred()
    const finished = deferred()
    const register = (app: MeasuredApp['app']): void => {
      app.route({
        method,
        url,
        handler: async () => {
          entered.resolve()
          await release.promise
          finished.resolve()
          return { late: true }
        },
      })
    }
    return { entered, release, finished, register }
  }

  it.each(['GET', 'POST'] as const)(
    '%s: aborted while the handler works, then the handler answers',
    async (method) => {
      const gate = gatedRoute(method, '/reports/:id')
      subject = await measuredApp(gate.register)
      const { app, receiver } = subject
      const port = await listen(app)
      // A POST whose body was read is the case Fastify's onRequestAbort hook misses.
      const client = openRequest(
        port,
        method,
        '/reports/7',
        method === 'POST' ? '{"q":1}' : undefined,
      )
      await gate.entered.promise
      client.abort()
      await client.closed
      await eventually(() => app.metrics.stats().activeRequests === 0, 'the abort is recorded')
      // The handler's late answer goes nowhere and must not count a second time.
      gate.release.resolve()
      await gate.finished.promise
      await settle(app, receiver)
      expect(requestSeries(receiver)).toEqual({
        [`${method} /reports/:id ${CLIENT_CLOSED_REQUEST}`]: 1,
      })
    },
  )

  it('a client that leaves in the middle of a streamed body is 499, not the 200 it saw', async () => {
    const bodyStarted = deferred()
    const streamDone = deferred()
    subject = await measuredApp((app) => {
      app.get('/export', async (_request, reply) => {
        const body = new Readable({ read() {} })
        body.push('first chunk\n')
        body.on('close', () => streamDone.resolve())
        bodyStarted.resolve()
        return reply.type('text/plain').send(body)
      })
    })
    const { app, receiver } = subject
    const port = await listen(app)
    const client = openRequest(port, 'GET', '/export')
    expect(await client.response).toBe(200)
    await bodyStarted.promise
    client.abort()
    await streamDone.promise
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /export 499': 1 })
  })

  it('completed requests on the same server are unaffected, and every request ends once', async () => {
    const gate = gatedRoute('GET', '/slow')
    subject = await measuredApp((app) => {
      gate.register(app)
      app.get('/fast', async () => 'ok')
    })
    const { app, receiver } = subject
    const port = await listen(app)
    const slow = openRequest(port, 'GET', '/slow')
    await gate.entered.promise
    expect(await openRequest(port, 'GET', '/fast').response).toBe(200)
    expect(app.metrics.stats().activeRequests).toBe(1)
    slow.abort()
    await slow.closed
    await eventually(() => app.metrics.stats().activeRequests === 0, 'the server saw the abort')
    gate.release.resolve()
    await gate.finished.promise
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /fast 200': 1, 'GET /slow 499': 1 })
    expect(app.metrics.stats().activeRequests).toBe(0)
  })
})
