import { startStatsdReceiver } from '@routemeter/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

/** One request of each kind every shop example serves, with the status it must answer. */
const SHOP_REQUESTS = [
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
]
/** Served but never measured: the one request of the list without a count. */
const HEALTH = ['GET', '/health', 200]

/**
 * A client for an example served by a plain Node HTTP server (`server`, not yet listening) with
 * its routemeter handle (`metrics`): listens on a loopback ephemeral port, sends each request
 * over a real socket; `close()` ends the server, then closes (and so flushes) the metrics.
 */
export async function overHttp(server, metrics) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  return {
    async send(method, path, body) {
      const response = await fetch(url + path, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      })
      await response.arrayBuffer()
      return response.status
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await metrics.close() // flushes
    },
  }
}

/**
 * The shop's in-process route checks, the same for every example: each request of the list is
 * served by the example's app, then the counters and timers the receiver got are checked in tag
 * and path style. The example supplies what is its own:
 * - `start(metrics)`: builds its app with these routemeter options and returns
 *   `{ send(method, path, body) → status, close() }` (`close()` flushes the metrics);
 * - `extraRequests`: requests only this framework answers its own way (served before /health);
 * - `unmatched`: status → how many requests are counted under route "unmatched" (tag style);
 * - `extraPathCounters`: more `shop.counters.*` names (without the prefix) → count (path style);
 * - `tagStyleTitle`, `describeTitle`, `moreTagChecks(receiver)`: its own wording and checks.
 */
export function describeShopRoutes({
  framework,
  describeTitle = 'every route is measured by its full template',
  tagStyleTitle,
  start,
  extraRequests = [],
  unmatched,
  extraPathCounters = {},
  moreTagChecks = () => {},
}) {
  const REQUESTS = [...SHOP_REQUESTS, ...extraRequests, HEALTH]

  async function serveAll(options) {
    const client = await start({
      // Explicit, so STATSD_* variables of whoever runs the tests cannot change what is checked.
      host: '127.0.0.1',
      flushIntervalMs: 60_000,
      globalTags: {},
      ...options,
    })
    try {
      for (const [method, path, status, body] of REQUESTS) {
        const served = await client.send(method, path, body)
        expect({ method, path, status: served }).toEqual({ method, path, status })
      }
    } finally {
      await client.close()
    }
  }

  describe(`the ${framework} example: ${describeTitle}`, () => {
    let receiver
    beforeAll(async () => {
      receiver = await startStatsdReceiver()
    })
    afterAll(() => receiver.close())
    beforeEach(() => receiver.clear())

    it(tagStyleTitle, async () => {
      await serveAll({ port: receiver.port, naming: 'tags', prefix: null })
      await receiver.waitFor((r) => r.counter('http.server.requests') === REQUESTS.length - 1)

      const requests = (route, statusCode) =>
        receiver.counter('http.server.requests', { route, status_code: String(statusCode) })
      expect(requests('/api/products', 200)).toBe(2)
      expect(requests('/api/products/:id', 200)).toBe(1)
      // Errors answered by the route's own handler count under that route.
      expect(requests('/api/products/:id', 404)).toBe(1)
      expect(requests('/api/products/:id', 400)).toBe(1)
      expect(requests('/api/orders', 201)).toBe(1)
      expect(requests('/api/orders', 400)).toBe(1)
      // Mounted at '/carts/:cartId' inside what is mounted at '/api': the full template.
      expect(requests('/api/carts/:cartId/checkout', 500)).toBe(1)
      expect(requests('/api/carts/:cartId/checkout', 200)).toBe(1)
      expect(requests('/api/reports/sales', 200)).toBe(1)
      for (const [status, count] of Object.entries(unmatched)) {
        expect({ status, count: requests('unmatched', status) }).toEqual({ status, count })
      }
      expect(receiver.lines().some((line) => line.includes('health'))).toBe(false)

      const [slow] = receiver.timings('http.server.duration', { route: '/api/reports/sales' })
      expect(slow).toBeGreaterThanOrEqual(200)
      moreTagChecks(receiver)
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
      for (const [name, count] of Object.entries(extraPathCounters)) {
        expect({ name, count: counter(name) }).toEqual({ name, count })
      }
      expect(receiver.timings('shop.timers.api.products._id.GET.db.query')).toHaveLength(2)
      expect(receiver.timings('shop.timers.api.reports.sales.GET.report.render')).toHaveLength(1)
      expect(receiver.timings('shop.timers.api.reports.sales.GET.200')).toHaveLength(1)
    })
  })
}
