import { type StatsdReceiver, startStatsdReceiver } from '@routemeter/core/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { NO_INTERVAL, requestSeries, settle } from './support'

describe('registration order', () => {
  let receiver: StatsdReceiver
  let app: FastifyInstance
  beforeEach(async () => {
    receiver = await startStatsdReceiver({ protocol: 'udp' })
    app = Fastify()
  })
  afterEach(async () => {
    await app.close()
    await receiver.close()
  })

  it('registered before the routes', async () => {
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/a', async () => 'a')
    await app.register(async (child) => {
      child.get('/b/:id', async () => 'b')
    })
    await app.inject('/a')
    await app.inject('/b/1')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /a 200': 1, 'GET /b/:id 200': 1 })
  })

  it('registered after routes declared on the app: they are measured too (no onRoute allow-list)', async () => {
    app.get('/early', async () => 'early')
    app.route({ method: ['GET', 'POST'], url: '/early/:id', handler: async () => 'early id' })
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/late', async () => 'late')
    await app.inject('/early')
    await app.inject({ method: 'POST', url: '/early/5' })
    await app.inject('/late')
    await app.inject('/nothing')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET /early 200': 1,
      'POST /early/:id 200': 1,
      'GET /late 200': 1,
      'GET unmatched 404': 1,
    })
  })

  it('registered after plugins that declare routes, even awaited ones, and their 404 handlers', async () => {
    await app.register(
      async (api) => {
        api.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ api: 'none' }))
        api.get('/orders/:id', async (request) => {
          request.metrics.timer('orders.load')()
          return { id: 1 }
        })
      },
      { prefix: '/api' },
    )
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    await app.inject('/api/orders/1')
    await app.inject('/api/nothing')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET /api/orders/:id 200': 1,
      'GET unmatched 404': 1,
    })
    expect(receiver.timings('orders.load', { route: '/api/orders/:id' })).toHaveLength(1)
  })

  it('registered without awaiting, next to routes declared in the same tick', async () => {
    app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/sync', async () => 'sync')
    await app.ready()
    await app.inject('/sync')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /sync 200': 1 })
  })

  it('a hook registered before routemeter that answers early is still counted, once', async () => {
    // A rate limiter, a CORS preflight or an auth check added first answers in onRequest, before
    // routemeter's onRequest runs; its reply's onSend starts it.
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers['x-over-limit'] === 'yes') return reply.code(429).send({ slow: 'down' })
    })
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/limited/:id', async () => 'ok')
    expect(
      (await app.inject({ url: '/limited/1', headers: { 'x-over-limit': 'yes' } })).statusCode,
    ).toBe(429)
    expect((await app.inject('/limited/2')).statusCode).toBe(200)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET /limited/:id 429': 1,
      'GET /limited/:id 200': 1,
    })
    expect(receiver.timings('http.server.duration', { status_code: '429' })).toHaveLength(1)
  })

  it.each([
    ['with a logger, Fastify times every request: from its start', { level: 'silent' }, 80],
    ['without one, from the early reply', false, 0],
  ] as const)('an early answer after 80 ms of hooks, %s', async (_case, logger, atLeast) => {
    // Fresh apps: the logger is a constructor option.
    await app.close()
    app = Fastify({ logger })
    app.addHook('onRequest', async (_request, reply) => {
      await new Promise((resolve) => setTimeout(resolve, 80))
      return reply.code(401).send({ who: 'are you' })
    })
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/private', async () => 'secret')
    expect((await app.inject('/private')).statusCode).toBe(401)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /private 401': 1 })
    const [duration] = receiver.timings('http.server.duration', { status_code: '401' })
    expect(duration).toBeGreaterThanOrEqual(atLeast)
    if (atLeast === 0) expect(duration).toBeLessThan(80)
  })

  it('fastify-plugin: decorators and hooks land in the scope it is registered in, not a child of it', async () => {
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    let childMeter: unknown
    await app.register(async (child) => {
      childMeter = child.metrics
      child.get('/child', async (request) => {
        request.metrics.timer('child.work')()
        return 'child'
      })
    })
    expect(app.hasDecorator('metrics')).toBe(true)
    expect(app.hasRequestDecorator('metrics')).toBe(true)
    expect(childMeter).toBe(app.metrics)
    await app.inject('/child')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /child 200': 1 })
    expect(receiver.timings('child.work', { route: '/child' })).toHaveLength(1)
  })
})
