import { afterEach, describe, expect, it } from 'vitest'
import { deferred, type MeasuredApp, measuredApp, requestSeries, settle } from './support'

// The server's connection timeout hanging up (499, once): the conformance suite (aborts.test.ts).
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
})
