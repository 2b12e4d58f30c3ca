import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

// Thrown, rejected and status-carrying errors and the app's error handler: the conformance suite
// (request-counts.test.ts). Fastify's own paths to an error stay here.
describe('errors are counted once, with the status actually sent', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('schema validation failures and failing hooks', async () => {
    subject = await measuredApp((app) => {
      app.post(
        '/items',
        {
          schema: {
            body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          },
        },
        async () => ({ ok: true }),
      )
      app.get(
        '/guarded',
        { preHandler: async () => Promise.reject(new Error('hook failed')) },
        async () => 'never',
      )
    })
    const { app, receiver } = subject
    expect((await app.inject({ method: 'POST', url: '/items', payload: {} })).statusCode).toBe(400)
    expect(
      (await app.inject({ method: 'POST', url: '/items', payload: { name: 'a' } })).statusCode,
    ).toBe(200)
    expect((await app.inject('/guarded')).statusCode).toBe(500)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'POST /items 400': 1,
      'POST /items 200': 1,
      'GET /guarded 500': 1,
    })
  })

  it('an error in the error handler itself still ends in one record', async () => {
    subject = await measuredApp((app) => {
      app.setErrorHandler(() => {
        throw new Error('error handler broke')
      })
      app.get('/double-fault', async () => {
        throw new Error('first')
      })
    })
    const { app, receiver } = subject
    expect((await app.inject('/double-fault')).statusCode).toBe(500)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /double-fault 500': 1 })
  })
})
