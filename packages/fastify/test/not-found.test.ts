import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

// The framework's 404, the app's not-found handler, both naming styles: the conformance suite
// (request-counts.test.ts). Fastify's scoped handlers and callNotFound() stay here.
describe('requests no route matched go to one unmatched bucket', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('custom and prefix-scoped not-found handlers, with the status they send', async () => {
    subject = await measuredApp(async (app) => {
      app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ custom: true }))
      await app.register(
        async (api) => {
          api.setNotFoundHandler(async (_request, reply) => reply.code(410).send({ gone: true }))
          api.get('/v1/things', async () => [])
        },
        { prefix: '/api' },
      )
    })
    const { app, receiver } = subject
    expect((await app.inject('/nowhere')).json()).toEqual({ custom: true })
    expect((await app.inject('/api/v0/things')).statusCode).toBe(410)
    expect((await app.inject('/api/v1/things')).statusCode).toBe(200)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET unmatched 404': 1,
      'GET unmatched 410': 1,
      'GET /api/v1/things 200': 1,
    })
  })

  it('reply.callNotFound() counts once, under the route that matched, with 404', async () => {
    subject = await measuredApp((app) => {
      app.get('/users/:id', async (request, reply) => {
        if ((request.params as { id: string }).id === 'missing') return reply.callNotFound()
        return { id: 1 }
      })
    })
    const { app, receiver } = subject
    expect((await app.inject('/users/missing')).statusCode).toBe(404)
    expect((await app.inject('/users/1')).statusCode).toBe(200)
    await settle(app, receiver)
    // The route matched and its handler decided "not found": the dashboard shows which route
    // answers 404s instead of folding them into the unmatched bucket.
    expect(requestSeries(receiver)).toEqual({ 'GET /users/:id 404': 1, 'GET /users/:id 200': 1 })
  })
})
