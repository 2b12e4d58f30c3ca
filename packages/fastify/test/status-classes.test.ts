import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestCount, requestSeries, settle } from './support'

describe('every status class is counted per route template, method and status', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('2xx, 3xx, 4xx and 5xx, tagged with route, method, status_code and status_class', async () => {
    subject = await measuredApp((app) => {
      app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id }))
      app.post('/users', async (_request, reply) => reply.code(201).send({ created: true }))
      app.get('/old-users/:id', async (_request, reply) => reply.redirect('/users/1', 301))
      app.get('/teapot', async (_request, reply) => reply.code(418).send())
      app.delete('/users/:id', async (_request, reply) => reply.code(503).send({ retry: true }))
    })
    const { app, receiver } = subject
    expect((await app.inject('/users/1')).statusCode).toBe(200)
    expect((await app.inject('/users/2')).statusCode).toBe(200)
    expect((await app.inject({ method: 'POST', url: '/users', payload: {} })).statusCode).toBe(201)
    expect((await app.inject('/old-users/7')).statusCode).toBe(301)
    expect((await app.inject('/teapot')).statusCode).toBe(418)
    expect((await app.inject({ method: 'DELETE', url: '/users/3' })).statusCode).toBe(503)
    await settle(app, receiver)

    expect(requestSeries(receiver)).toEqual({
      'GET /users/:id 200': 2,
      'POST /users 201': 1,
      'GET /old-users/:id 301': 1,
      'GET /teapot 418': 1,
      'DELETE /users/:id 503': 1,
    })
    for (const [statusClass, count] of [
      ['2xx', 3],
      ['3xx', 1],
      ['4xx', 1],
      ['5xx', 1],
    ] as const) {
      expect(requestCount(receiver, { status_class: statusClass })).toBe(count)
    }
    // One latency sample per request, on the same series.
    expect(
      receiver.timings('http.server.duration', { route: '/users/:id', status_code: '200' }),
    ).toHaveLength(2)
    expect(receiver.timings('http.server.duration')).toHaveLength(6)
  })

  it('labels come from the template, never the raw URL or query string', async () => {
    subject = await measuredApp((app) => {
      app.get('/orders/:orderId/items/:itemId', async () => 'ok')
    })
    const { app, receiver } = subject
    await app.inject('/orders/9f2c/items/42?expand=all')
    await settle(app, receiver)
    expect(requestCount(receiver, { route: '/orders/:orderId/items/:itemId' })).toBe(1)
    expect(receiver.lines().join('\n')).not.toMatch(/9f2c|expand/)
  })

  it('HEAD requests on a GET route count as HEAD under the same route', async () => {
    subject = await measuredApp((app) => {
      app.get('/ping', async () => 'pong')
    })
    const { app, receiver } = subject
    expect((await app.inject({ method: 'HEAD', url: '/ping' })).statusCode).toBe(200)
    await app.inject('/ping')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'HEAD /ping 200': 1, 'GET /ping 200': 1 })
  })

  it('a hijacked reply written to the raw response counts with the status it wrote', async () => {
    subject = await measuredApp((app) => {
      app.get('/raw/:id', (_request, reply) => {
        reply.hijack()
        reply.raw.writeHead(202, { 'content-type': 'text/plain' })
        reply.raw.end('accepted')
      })
    })
    const { app, receiver } = subject
    expect((await app.inject('/raw/1')).statusCode).toBe(202)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /raw/:id 202': 1 })
  })

  it('the active-requests gauge is back to zero once every response is sent', async () => {
    subject = await measuredApp((app) => {
      app.get('/', async () => 'ok')
    })
    const { app, receiver } = subject
    await Promise.all([app.inject('/'), app.inject('/'), app.inject('/')])
    await settle(app, receiver)
    expect(app.metrics.stats().activeRequests).toBe(0)
    expect(receiver.gauge('http.server.active_requests')).toBe(0)
  })
})
