import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

describe('the route label is the full route template', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('includes the prefixes of encapsulated plugins, nested', async () => {
    subject = await measuredApp(async (app) => {
      await app.register(
        async (api) => {
          api.get('/status', async () => 'ok')
          await api.register(
            async (v1) => {
              v1.get('/users/:id', async () => ({ id: 1 }))
            },
            { prefix: '/v1' },
          )
        },
        { prefix: '/api' },
      )
    })
    const { app, receiver } = subject
    await app.inject('/api/status')
    await app.inject('/api/v1/users/3')
    await app.inject('/api/v1/users/4')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET /api/status 200': 1,
      'GET /api/v1/users/:id 200': 2,
    })
  })

  it("a prefixed plugin's '/' route is one label whether called with or without the slash", async () => {
    subject = await measuredApp(async (app) => {
      await app.register(
        async (shop) => {
          shop.get('/', async () => 'shop home')
        },
        { prefix: '/shop' },
      )
    })
    const { app, receiver } = subject
    expect((await app.inject('/shop')).statusCode).toBe(200)
    expect((await app.inject('/shop/')).statusCode).toBe(200)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /shop 200': 2 })
  })

  it('a route with several methods records each method under the one template', async () => {
    subject = await measuredApp((app) => {
      app.route({
        method: ['GET', 'PUT', 'DELETE'],
        url: '/documents/:id',
        handler: async (request, reply) => reply.code(request.method === 'PUT' ? 204 : 200).send(),
      })
    })
    const { app, receiver } = subject
    await app.inject('/documents/1')
    await app.inject({ method: 'PUT', url: '/documents/1' })
    await app.inject({ method: 'PUT', url: '/documents/2' })
    await app.inject({ method: 'DELETE', url: '/documents/1' })
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({
      'GET /documents/:id 200': 1,
      'PUT /documents/:id 204': 2,
      'DELETE /documents/:id 200': 1,
    })
  })

  it('wildcard and regexp-constrained routes are one series each, whatever the URL', async () => {
    subject = await measuredApp((app) => {
      app.get('/files/*', async () => 'file')
      app.get('/orders/:id(^\\d+)', async () => 'order')
    })
    const { app, receiver } = subject
    await app.inject('/files/a/b/c.txt')
    await app.inject('/files/d.txt')
    await app.inject('/orders/12')
    await app.inject('/orders/13')
    await settle(app, receiver)
    // Core sanitises the template for the wire: `*`, `(`, `^`, `\` and `)` are not tag-safe.
    expect(requestSeries(receiver)).toEqual({
      'GET /files/_ 200': 2,
      'GET /orders/:id___d__ 200': 2,
    })
  })

  it('path style maps the template to dotted segments', async () => {
    subject = await measuredApp(
      async (app) => {
        await app.register(
          async (api) => {
            api.get('/users/:id', async () => 'u')
          },
          { prefix: '/api/v1' },
        )
        app.get('/', async () => 'home')
      },
      { naming: 'path' },
    )
    const { app, receiver } = subject
    await app.inject('/api/v1/users/9')
    await app.inject('/')
    await settle(app, receiver)
    expect(receiver.counter('counters.api.v1.users._id.GET.200')).toBe(1)
    expect(receiver.counter('counters._root.GET.200')).toBe(1)
    expect(receiver.timings('timers.api.v1.users._id.GET.200')).toHaveLength(1)
  })
})
