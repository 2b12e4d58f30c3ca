import Router from '@koa/router'
import { afterEach, describe, expect, it } from 'vitest'
import { key, MAJORS, MeasuredKoa } from './support/harness'

describe.each(MAJORS)('$major: the route label is the template @koa/router matched', ({ Koa }) => {
  let measured: MeasuredKoa
  afterEach(() => measured.close())

  it('nested routers mounted with router.use(path, …) and a router prefix: every part in the label, never the values', async () => {
    measured = new MeasuredKoa(Koa)
    const items = new Router()
    items.get('/:itemId', (ctx) => {
      ctx.body = ctx.params.itemId
    })
    const orders = new Router()
    orders.use('/orders/:orderId/items', items.routes())
    const api = new Router({ prefix: '/api/:tenant' })
    api.use(orders.routes())
    measured.app.use(api.routes())

    expect(await measured.request('/api/acme/orders/9f2c/items/42?expand=all')).toEqual({
      status: 200,
      body: '42',
    })
    await measured.request('/api/globex/orders/1/items/2')
    expect(await measured.counted(2)).toEqual({
      [key('GET', '/api/:tenant/orders/:orderId/items/:itemId', 200)]: 2,
    })
    expect(measured.capture.lines().join('\n')).not.toMatch(/acme|globex|9f2c|expand/)
  })

  it('several routers in one app: each request gets the route of the router that answered', async () => {
    measured = new MeasuredKoa(Koa)
    const users = new Router({ prefix: '/users' })
    users.get('/:id', (ctx) => {
      ctx.body = 'user'
    })
    const admin = new Router()
    admin.get('/admin/stats', (ctx) => {
      ctx.body = 'stats'
    })
    measured.app.use(users.routes()).use(users.allowedMethods())
    measured.app.use(admin.routes())

    await measured.request('/users/1')
    await measured.request('/admin/stats')
    await measured.request('/admin/stats')
    expect(await measured.counted(3)).toEqual({
      [key('GET', '/users/:id', 200)]: 1,
      [key('GET', '/admin/stats', 200)]: 2,
    })
  })

  it('404s — no router matched, a method no route has (allowedMethods 405) — are unmatched', async () => {
    measured = new MeasuredKoa(Koa)
    const router = new Router()
    router.get('/things/:id', (ctx) => {
      ctx.body = 'thing'
    })
    measured.app.use(router.routes()).use(router.allowedMethods())

    expect((await measured.request('/nowhere/at/all')).status).toBe(404)
    expect((await measured.request('/things/1', 'DELETE')).status).toBe(405)
    expect(await measured.counted(2)).toEqual({
      [key('GET', 'unmatched', 404)]: 1,
      [key('DELETE', 'unmatched', 405)]: 1,
    })
    expect(measured.capture.lines().join('\n')).not.toContain('nowhere')
  })

  it('router middleware that answers (auth 401 from router.use) is labelled with the route matched, not its pattern', async () => {
    measured = new MeasuredKoa(Koa)
    const api = new Router({ prefix: '/api' })
    api.use(async (ctx, next) => {
      if (ctx.get('authorization') === '') {
        ctx.status = 401
        return
      }
      await next()
    })
    api.use('/admin', async (ctx, next) => {
      if (ctx.get('x-role') !== 'admin') {
        ctx.status = 403
        return
      }
      await next()
    })
    api.get('/admin/users/:id', (ctx) => {
      ctx.body = 'ok'
    })
    measured.app.use(api.routes())

    expect((await measured.request('/api/admin/users/1')).status).toBe(401)
    expect(
      (await measured.request('/api/admin/users/1', 'GET', { authorization: 'x' })).status,
    ).toBe(403)
    const allowed = { authorization: 'x', 'x-role': 'admin' }
    expect((await measured.request('/api/admin/users/1', 'GET', allowed)).status).toBe(200)
    // HEAD is routed to GET routes by @koa/router; it keeps its own method.
    expect((await measured.request('/api/admin/users/2', 'HEAD')).status).toBe(401)
    expect(await measured.counted(4)).toEqual({
      [key('GET', '/api/admin/users/:id', 401)]: 1,
      [key('GET', '/api/admin/users/:id', 403)]: 1,
      [key('GET', '/api/admin/users/:id', 200)]: 1,
      [key('HEAD', '/api/admin/users/:id', 401)]: 1,
    })
  })

  it("router.use() middleware answering (auth 401) keeps the route of the request's own method, not another method's on the same path", async () => {
    measured = new MeasuredKoa(Koa)
    const router = new Router()
    router.use(async (ctx, next) => {
      if (ctx.get('authorization') === '') {
        ctx.status = 401
        return
      }
      await next()
    })
    // Both match /docs/1; registered PUT first, so "the last route layer" without the method
    // would be the GET one.
    router.put('/docs/:name', (ctx) => {
      ctx.status = 204
    })
    router.get('/docs/:id', (ctx) => {
      ctx.body = 'doc'
    })
    measured.app.use(router.routes())

    expect((await measured.request('/docs/1', 'PUT')).status).toBe(401)
    expect((await measured.request('/docs/1', 'GET')).status).toBe(401)
    // No DELETE route on this path: the router runs nothing, not even its middleware.
    expect((await measured.request('/docs/1', 'DELETE')).status).toBe(404)
    expect((await measured.request('/docs/1', 'PUT', { authorization: 'x' })).status).toBe(204)
    expect(await measured.counted(4)).toEqual({
      [key('PUT', '/docs/:name', 401)]: 1,
      [key('GET', '/docs/:id', 401)]: 1,
      [key('DELETE', 'unmatched', 404)]: 1,
      [key('PUT', '/docs/:name', 204)]: 1,
    })
  })

  it('two routes matching one path: the one that answered; a route passing on keeps its label', async () => {
    measured = new MeasuredKoa(Koa)
    const router = new Router()
    router.get('/files/:name', async (ctx, next) => {
      if (ctx.params.name === 'latest') return next()
      ctx.body = 'file'
    })
    router.get('/files/latest', (ctx) => {
      ctx.body = 'latest'
    })
    router.get('/reports/:id', async (_ctx, next) => {
      // Passes on to nothing: Koa answers 404, still under the route that matched.
      await next()
    })
    measured.app.use(router.routes())

    expect(await measured.request('/files/a.txt')).toEqual({ status: 200, body: 'file' })
    expect(await measured.request('/files/latest')).toEqual({ status: 200, body: 'latest' })
    expect((await measured.request('/reports/1')).status).toBe(404)
    expect(await measured.counted(3)).toEqual({
      [key('GET', '/files/:name', 200)]: 1,
      [key('GET', '/files/latest', 200)]: 1,
      [key('GET', '/reports/:id', 404)]: 1,
    })
  })

  it('a RegExp route is labelled with its RegExp; a custom method is routed and counted as _OTHER', async () => {
    measured = new MeasuredKoa(Koa)
    const router = new Router()
    router.get(/^\/v\d+\/ping$/, (ctx) => {
      ctx.body = 'pong'
    })
    router.register('/cache/:key', ['PURGE'], (ctx) => {
      ctx.status = 204
    })
    measured.app.use(router.routes())

    await measured.request('/v1/ping')
    await measured.request('/v2/ping')
    expect((await measured.request('/cache/k1', 'PURGE')).status).toBe(204)
    expect(await measured.counted(3)).toEqual({
      [key('GET', String(/^\/v\d+\/ping$/), 200)]: 2,
      [key('_OTHER', '/cache/:key', 204)]: 1,
    })
  })

  it('method-override (POST /user/1/edit?_method=PUT) is recorded with the method the client sent, as on Express', async () => {
    measured = new MeasuredKoa(Koa)
    // What koa-methodoverride does: rewrite ctx.method before the router.
    measured.app.use(async (ctx, next) => {
      const override = ctx.query._method
      if (ctx.method === 'POST' && typeof override === 'string') ctx.method = override.toUpperCase()
      await next()
    })
    const router = new Router()
    router.put('/user/:id/edit', (ctx) => {
      ctx.body = `updated ${ctx.params.id}`
    })
    measured.app.use(router.routes())
    expect(await measured.request('/user/1/edit?_method=PUT', 'POST')).toEqual({
      status: 200,
      body: 'updated 1',
    })
    await measured.request('/user/2/edit', 'PUT')
    expect(await measured.counted(2)).toEqual({
      [key('POST', '/user/:id/edit', 200)]: 1,
      [key('PUT', '/user/:id/edit', 200)]: 1,
    })
  })

  it('ctx.metrics timers are filed under the route as known when called', async () => {
    measured = new MeasuredKoa(Koa)
    measured.app.use(async (ctx, next) => {
      ctx.metrics.timer('before.router')()
      await next()
    })
    const router = new Router({ prefix: '/shop' })
    router.get('/carts/:id', async (ctx) => {
      ctx.body = await ctx.metrics.time('db.query', async () => 'cart')
    })
    measured.app.use(router.routes())

    await measured.request('/shop/carts/5')
    await measured.counted(1)
    expect(
      measured.capture.timings('db.query', { route: '/shop/carts/:id', method: 'GET' }),
    ).toHaveLength(1)
    expect(
      measured.capture.timings('before.router', { route: 'unmatched', method: 'GET' }),
    ).toHaveLength(1)
  })
})
