import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

describe('requests no route matched go to one unmatched bucket', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('the default 404 handler: route "unmatched", never the raw path', async () => {
    subject = await measuredApp((app) => {
      app.get('/known', async () => 'ok')
    })
    const { app, receiver } = subject
    for (const url of ['/wp-admin.php', '/a/b/c?x=1', '/known/extra']) {
      expect((await app.inject(url)).statusCode).toBe(404)
    }
    expect((await app.inject({ method: 'POST', url: '/known' })).statusCode).toBe(404)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET unmatched 404': 3, 'POST unmatched 404': 1 })
    expect(receiver.lines().join('\n')).not.toMatch(/wp-admin|a\/b\/c|extra/)
  })

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

  it('path style uses the _unmatched segment', async () => {
    subject = await measuredApp(() => {}, { naming: 'path' })
    const { app, receiver } = subject
    await app.inject('/nothing/here')
    await settle(app, receiver)
    expect(receiver.counter('counters._unmatched.GET.404')).toBe(1)
    expect(receiver.timings('timers._unmatched.GET.404')).toHaveLength(1)
  })
})
