import { Hono } from 'hono'
import { mount } from 'hono/mount'
import { afterEach, describe, expect, it } from 'vitest'
import { type Env, key, MeasuredHono } from './support/harness'

describe('Hono: the route label is the template Hono matched', () => {
  let measured: MeasuredHono
  afterEach(() => measured.close())

  it('sub-apps mounted with app.route(), a basePath and grouped routes: every part in the label, never the values', async () => {
    measured = new MeasuredHono()
    const items = new Hono<Env>()
    items.get('/:itemId', (c) => c.text(c.req.param('itemId')))
    const orders = new Hono<Env>().basePath('/orders/:orderId')
    orders.route('/items', items)
    const api = new Hono<Env>()
    api.route('/', orders)
    // Grouped: one path, several methods.
    api.get('/carts/:id', (c) => c.text('cart')).post((c) => c.text('updated', 201))
    measured.app.route('/api/:tenant', api)

    expect(await measured.request('/api/acme/orders/9f2c/items/42?expand=all')).toEqual({
      status: 200,
      body: '42',
    })
    await measured.request('/api/globex/orders/1/items/2')
    await measured.request('/api/acme/carts/7')
    expect((await measured.request('/api/acme/carts/7', 'POST')).status).toBe(201)
    expect(await measured.counted(4)).toEqual({
      [key('GET', '/api/:tenant/orders/:orderId/items/:itemId', 200)]: 2,
      [key('GET', '/api/:tenant/carts/:id', 200)]: 1,
      [key('POST', '/api/:tenant/carts/:id', 201)]: 1,
    })
    expect(measured.capture.lines().join('\n')).not.toMatch(/acme|globex|9f2c|expand/)
  })

  it('404s — the default and the app’s notFound — are unmatched, with the status sent', async () => {
    measured = new MeasuredHono()
    measured.app.get('/things/:id', (c) => c.text('thing'))
    expect((await measured.request('/nowhere/at/all')).status).toBe(404)
    expect((await measured.request('/things/1', 'DELETE')).status).toBe(404)
    measured.app.notFound((c) => c.text('gone', 410))
    expect((await measured.request('/elsewhere')).status).toBe(410)
    expect(await measured.counted(3)).toEqual({
      [key('GET', 'unmatched', 404)]: 1,
      [key('DELETE', 'unmatched', 404)]: 1,
      [key('GET', 'unmatched', 410)]: 1,
    })
    expect(measured.capture.lines().join('\n')).not.toMatch(/nowhere|elsewhere/)
  })

  it('middleware that answers (auth 401 from app.use) is labelled with the route matched, not its wildcard', async () => {
    measured = new MeasuredHono()
    measured.app.use('/admin/*', async (c, next) => {
      if (c.req.header('authorization') === undefined) return c.text('no', 401)
      await next()
    })
    measured.app.get('/admin/users/:id', (c) => c.text('ok'))
    measured.app.all('/admin/ping', (c) => c.text('pong'))

    expect((await measured.request('/admin/users/1')).status).toBe(401)
    expect((await measured.request('/admin/users/1', 'GET', { authorization: 'x' })).status).toBe(
      200,
    )
    expect((await measured.request('/admin/ping', 'PUT', { authorization: 'x' })).status).toBe(200)
    // Hono routes HEAD to GET routes; the request keeps its own method.
    expect((await measured.request('/admin/users/2', 'HEAD')).status).toBe(401)
    // Nothing but the middleware matched: still a 404, unmatched.
    expect((await measured.request('/admin/nothing', 'GET', { authorization: 'x' })).status).toBe(
      404,
    )
    expect(await measured.counted(5)).toEqual({
      [key('GET', '/admin/users/:id', 401)]: 1,
      [key('GET', '/admin/users/:id', 200)]: 1,
      [key('PUT', '/admin/ping', 200)]: 1,
      [key('HEAD', '/admin/users/:id', 401)]: 1,
      [key('GET', 'unmatched', 404)]: 1,
    })
  })

  it('app.all() with a trailing * is a route: labelled with its template, whatever the status', async () => {
    measured = new MeasuredHono()
    measured.app.all('/proxy/*', (c) =>
      c.text(`proxied ${c.req.method}`, c.req.method === 'DELETE' ? 502 : 200),
    )
    expect(await measured.request('/proxy/a/b?x=1')).toEqual({ status: 200, body: 'proxied GET' })
    expect((await measured.request('/proxy/c', 'POST')).status).toBe(200)
    expect((await measured.request('/proxy/d', 'DELETE')).status).toBe(502)
    expect(await measured.counted(3)).toEqual({
      [key('GET', '/proxy/*', 200)]: 1,
      [key('POST', '/proxy/*', 200)]: 1,
      [key('DELETE', '/proxy/*', 502)]: 1,
    })
  })

  it('sub-apps attached with app.mount() or the mount() middleware are labelled with their mount template; what they do not serve is unmatched', async () => {
    measured = new MeasuredHono()
    const legacy = async (request: Request) => {
      const path = new URL(request.url).pathname
      return path === '/missing'
        ? new Response('nope', { status: 404 })
        : new Response(`legacy ${path}`)
    }
    measured.app.mount('/legacy', legacy)
    measured.app.use('/other/*', mount(legacy))
    expect(await measured.request('/legacy/users/7')).toEqual({
      status: 200,
      body: 'legacy /users/7',
    })
    expect((await measured.request('/legacy/users/8', 'PUT')).status).toBe(200)
    expect((await measured.request('/other/x')).status).toBe(200)
    expect((await measured.request('/legacy/missing')).status).toBe(404)
    expect(await measured.counted(4)).toEqual({
      [key('GET', '/legacy/*', 200)]: 1,
      [key('PUT', '/legacy/*', 200)]: 1,
      [key('GET', '/other/*', 200)]: 1,
      [key('GET', 'unmatched', 404)]: 1,
    })
  })

  it('middleware that rejects with no route behind it (auth 401, an error) is unmatched, as on the other adapters', async () => {
    measured = new MeasuredHono()
    measured.app.use('/api/*', async (c, next) => {
      if (c.req.header('authorization') === undefined) return c.text('no', 401)
      if (c.req.header('authorization') === 'broken') throw new Error('key store down')
      await next()
    })
    measured.app.onError((_error, c) => c.text('failed', 500))
    measured.app.notFound((c) => c.text('spa', 200))
    expect((await measured.request('/api/nothing')).status).toBe(401)
    expect(
      (await measured.request('/api/nothing', 'GET', { authorization: 'broken' })).status,
    ).toBe(500)
    // A notFound answering 200 (an SPA fallback) after app-wide middleware: still unmatched.
    expect((await measured.request('/page')).status).toBe(200)
    expect(await measured.counted(3)).toEqual({
      [key('GET', 'unmatched', 401)]: 1,
      [key('GET', 'unmatched', 500)]: 1,
      [key('GET', 'unmatched', 200)]: 1,
    })
  })

  it('two routes matching one path: the one that answered labels the request, not the last one matched', async () => {
    measured = new MeasuredHono()
    measured.app.get('/files/:name', async (c, next) => {
      if (c.req.param('name') === 'latest') return next()
      return c.text('file')
    })
    measured.app.get('/files/latest', (c) => c.text('latest'))
    // Matched after the parameter route, never reached for these requests.
    measured.app.get('/files/*', (c) => c.text('anything'))

    expect(await measured.request('/files/a.txt')).toEqual({ status: 200, body: 'file' })
    expect(await measured.request('/files/latest')).toEqual({ status: 200, body: 'latest' })
    expect(await measured.counted(2)).toEqual({
      [key('GET', '/files/:name', 200)]: 1,
      [key('GET', '/files/latest', 200)]: 1,
    })
  })

  it('c.var.metrics timers are filed under the request’s route, in middleware too: Hono routes before any runs', async () => {
    measured = new MeasuredHono()
    measured.app.use(async (c, next) => {
      c.var.metrics.timer('before.route')()
      await next()
    })
    measured.app.get('/shop/carts/:id', async (c) =>
      c.text(await c.var.metrics.time('db.query', async () => 'cart')),
    )
    await measured.request('/shop/carts/5')
    await measured.counted(1)
    expect(
      measured.capture.timings('db.query', { route: '/shop/carts/:id', method: 'GET' }),
    ).toHaveLength(1)
    expect(
      measured.capture.timings('before.route', { route: '/shop/carts/:id', method: 'GET' }),
    ).toHaveLength(1)
  })
})
