import { afterEach, describe, expect, it } from 'vitest'
import { CLIENT_CLOSED_REQUEST } from '../src/index'
import {
  deferred,
  listen,
  type MeasuredApp,
  measuredApp,
  openRequest,
  requestSeries,
  settle,
} from './support'

describe('timed-out requests are counted exactly once', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('handlerTimeout: the 503 Fastify sends, and not the handler finishing later', async () => {
    const release = deferred()
    const finished = deferred()
    subject = await measuredApp((app) => {
      app.get('/slow/:id', { handlerTimeout: 50 }, async () => {
        await release.promise
        finished.resolve()
        return 'too late'
      })
      app.get('/fast', { handlerTimeout: 5_000 }, async () => 'in time')
    })
    const { app, receiver } = subject
    expect((await app.inject('/slow/1')).statusCode).toBe(503)
    expect((await app.inject('/fast')).statusCode).toBe(200)
    release.resolve()
    await finished.promise
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /slow/:id 503': 1, 'GET /fast 200': 1 })
  })

  it('connectionTimeout: the server hangs up with nothing sent, recorded once as 499', async () => {
    const entered = deferred()
    const release = deferred()
    const finished = deferred()
    subject = await measuredApp(
      (app) => {
        app.get('/stuck/:id', async () => {
          entered.resolve()
          await release.promise
          finished.resolve()
          return 'nobody is listening'
        })
        app.get('/quick', async () => 'ok')
      },
      {},
      { connectionTimeout: 100 },
    )
    const { app, receiver } = subject
    const port = await listen(app)
    expect(await openRequest(port, 'GET', '/quick').response).toBe(200)
    const stuck = openRequest(port, 'GET', '/stuck/1')
    await entered.promise
    // The server's socket timeout hangs up: the client gets no response at all.
    expect(await stuck.response).toBeUndefined()
    // Let the handler reply into the closed socket; that must not count a second time.
    release.resolve()
    await finished.promise
    await settle(app, receiver)
    // No response went out, so there is no status to report but "closed before a response".
    expect(requestSeries(receiver)).toEqual({
      'GET /quick 200': 1,
      [`GET /stuck/:id ${CLIENT_CLOSED_REQUEST}`]: 1,
    })
    expect(app.metrics.stats().activeRequests).toBe(0)
  })
})
