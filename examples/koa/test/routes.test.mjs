import http from 'node:http'
import { startStatsdReceiver } from '@routemeter/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.mjs'

/** One request of each kind the shop API serves, with the status it must answer. */
const REQUESTS = [
  ['GET', '/api/products', 200],
  ['GET', '/api/products/', 200],
  ['GET', '/api/products/7', 200],
  ['GET', '/api/products/999', 404],
  ['GET', '/api/products/abc', 400],
  ['POST', '/api/orders', 201, { productId: 3, quantity: 2 }],
  ['POST', '/api/orders', 400, { quantity: 2 }],
  ['POST', '/api/carts/10/checkout', 500],
  ['POST', '/api/carts/11/checkout', 200],
  ['GET', '/api/reports/sales', 200],
  ['GET', '/no/such/page', 404],
  ['DELETE', '/api/orders', 405],
  ['GET', '/health', 200],
]

async function serveAll(options) {
  const { app, metrics } = buildApp({
    logErrors: false,
    // Explicit, so STATSD_* variables of whoever runs the tests cannot change what is checked.
    metrics: { host: '127.0.0.1', flushIntervalMs: 60_000, globalTags: {}, ...options },
  })
  const server = http.createServer(app.callback())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  try {
    for (const [method, path, status, body] of REQUESTS) {
      const response = await fetch(url + path, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      })
      await response.arrayBuffer()
      expect({ method, path, status: response.status }).toEqual({ method, path, status })
    }
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await metrics.close() // flushes
  }
}

describe('the Koa example: every route is measured by its full template', () => {
  let receiver
  beforeAll(async () => {
    receiver = await startStatsdReceiver()
  })
  afterAll(() => receiver.close())
  beforeEach(() => receiver.clear())

  it('tag style: prefixes and nested routers give full templates; unrouted 404s count as "unmatched"; /health not measured', async () => {
    await serveAll({ port: receiver.port, naming: 'tags', prefix: null })
    await receiver.waitFor((r) => r.counter('http.server.requests') === REQUESTS.length - 1)

    const requests = (route, statusCode) =>
      receiver.counter('http.server.requests', { route, status_code: String(statusCode) })
    expect(requests('/api/products', 200)).toBe(2)
    expect(requests('/api/products/:id', 200)).toBe(1)
    // ctx.throw(404) and ctx.throw(400) count under the route that threw.
    expect(requests('/api/products/:id', 404)).toBe(1)
    expect(requests('/api/products/:id', 400)).toBe(1)
    expect(requests('/api/orders', 201)).toBe(1)
    expect(requests('/api/orders', 400)).toBe(1)
    // Router mounted at '/carts/:cartId' inside the router with prefix '/api'.
    expect(requests('/api/carts/:cartId/checkout', 500)).toBe(1)
    expect(requests('/api/carts/:cartId/checkout', 200)).toBe(1)
    expect(requests('/api/reports/sales', 200)).toBe(1)
    expect(requests('unmatched', 404)).toBe(1)
    // allowedMethods() answers a known path with another method: no route ran.
    expect(requests('unmatched', 405)).toBe(1)
    expect(receiver.lines().some((line) => line.includes('health'))).toBe(false)

    const [slow] = receiver.timings('http.server.duration', { route: '/api/reports/sales' })
    expect(slow).toBeGreaterThanOrEqual(200)
  })

  it('tag style: each handler’s execution timer is tagged with its route and method', async () => {
    await serveAll({ port: receiver.port, naming: 'tags', prefix: null })
    await receiver.waitFor((r) => r.counter('http.server.requests') === REQUESTS.length - 1)

    const timings = (name, route, method) => receiver.timings(name, { route, method }).length
    expect(timings('db.query', '/api/products', 'GET')).toBe(2)
    // The 400 (invalid id) is answered before the query: two queries, not three.
    expect(timings('db.query', '/api/products/:id', 'GET')).toBe(2)
    expect(timings('db.insert', '/api/orders', 'POST')).toBe(1)
    expect(timings('payment.charge', '/api/carts/:cartId/checkout', 'POST')).toBe(2)
    expect(timings('report.render', '/api/reports/sales', 'GET')).toBe(1)
    expect(receiver.timings('report.render')[0]).toBeGreaterThanOrEqual(200)
  })

  it('path style: everything in the dotted name, under the prefix', async () => {
    await serveAll({ port: receiver.port, naming: 'path', prefix: 'shop' })
    const counter = (name) => receiver.counter(`shop.counters.${name}`)
    await receiver.waitFor((r) => r.samples().filter((s) => s.type === 'c').length >= 10)

    expect(counter('api.products.GET.200')).toBe(2)
    expect(counter('api.products._id.GET.200')).toBe(1)
    expect(counter('api.products._id.GET.404')).toBe(1)
    expect(counter('api.orders.POST.201')).toBe(1)
    expect(counter('api.carts._cartId.checkout.POST.500')).toBe(1)
    expect(counter('_unmatched.GET.404')).toBe(1)
    expect(receiver.timings('shop.timers.api.products._id.GET.db.query')).toHaveLength(2)
    expect(receiver.timings('shop.timers.api.reports.sales.GET.report.render')).toHaveLength(1)
    expect(receiver.timings('shop.timers.api.reports.sales.GET.200')).toHaveLength(1)
  })
})
