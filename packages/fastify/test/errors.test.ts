import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

class ConflictError extends Error {
  readonly statusCode = 409
}

// Errors answered by the app's own error handler: the conformance suite (request-counts.test.ts).
// Fastify's own paths to an error stay here.
describe('errors are counted once, with the status actually sent', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('Fastify’s default error handler: thrown errors, rejected promises, reply.send(error) and statusCode', async () => {
    subject = await measuredApp((app) => {
      app.get('/throws', () => {
        throw new Error('sync failure')
      })
      app.get('/rejects', async () => {
        await Promise.resolve()
        throw new Error('async failure')
      })
      app.get('/callback-error', (_request, reply) => {
        setImmediate(() => reply.send(new Error('late failure')))
      })
      app.put('/conflict', async () => {
        throw new ConflictError('taken')
      })
    })
    const { app, receiver } = subject
    expect((await app.inject('/throws')).statusCode).toBe(500)
    expect((await app.inject('/rejects')).statusCode).toBe(500)
    expect((await app.inject('/callback-error')).statusCode).toBe(500)
    expect((await app.inject({ method: 'PUT', url: '/conflict' })).statusCode).toBe(409)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET /throws 500': 1,
      'GET /rejects 500': 1,
      'GET /callback-error 500': 1,
      'PUT /conflict 409': 1,
    })
  })

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
