import { waitUntil } from '@routemeter/core/testing'
import { deferred } from '@routemeter/test-support'
import { fetchText, startRequest } from './client'
import { sharedDaemon } from './fixture'
import { type Measured, measured } from './measured'
import { NO_INTERVAL } from './net'
import { SHOP, type ShopRequest, serveShop } from './shop-app'
import type { SuiteContext } from './suite'

/**
 * `naming: 'otel'` through every adapter: the OpenTelemetry HTTP server names and attributes
 * from a real app on a real socket — the template as `http.route` (absent for unmatched
 * requests), the status sent, `url.scheme` and `network.protocol.version` read from Node's
 * request, `error.type` only on errors — exact counts at the reference Etsy daemon from the
 * duration alone (there is no counter), and in-flight requests per method and scheme.
 */

const DURATION = 'http.server.request.duration'
const ACTIVE = 'http.server.active_requests'

const REQUESTS: ReadonlyArray<ShopRequest> = [
  ['GET', '/api/v1/users/1', 200],
  ['GET', '/api/v1/users/2', 200],
  ['GET', '/api/v1/users/missing', 404],
  ['POST', '/api/v1/users', 201],
  ['GET', '/tenants/acme/orders/9', 409],
  ['GET', '/broken', 500],
  ['GET', '/broken', 500],
  ['GET', '/nope/123', 404],
]

/** The attributes of every request an HTTP/1.1 client on loopback makes. */
const CONNECTION = { 'url.scheme': 'http', 'network.protocol.version': '1.1' }

/**
 * The daemon's keys (tags folded in as `;k=v` in the order sent, `/` → `-`, `:` dropped) and
 * the number of duration values each must hold: one per request.
 */
const DAEMON_DURATIONS: Record<string, number> = {
  'http.server.request.duration;http.request.method=GET;http.response.status_code=200;http.route=-api-v1-users-id;url.scheme=http;network.protocol.version=1.1': 2,
  'http.server.request.duration;http.request.method=GET;http.response.status_code=404;http.route=-api-v1-users-id;url.scheme=http;network.protocol.version=1.1': 1,
  'http.server.request.duration;http.request.method=POST;http.response.status_code=201;http.route=-api-v1-users;url.scheme=http;network.protocol.version=1.1': 1,
  'http.server.request.duration;http.request.method=GET;http.response.status_code=409;http.route=-tenants-tenant-orders-orderId;url.scheme=http;network.protocol.version=1.1': 1,
  'http.server.request.duration;http.request.method=GET;http.response.status_code=500;http.route=-broken;url.scheme=http;network.protocol.version=1.1;error.type=500': 2,
  'http.server.request.duration;http.request.method=GET;http.response.status_code=404;url.scheme=http;network.protocol.version=1.1': 1,
  'db.query;http.request.method=GET;http.route=-api-v1-users-id': 3,
}

export function otelSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  describe(`${factory.name}, otel naming against the real statsd daemon`, () => {
    const shared = sharedDaemon(test)

    it('the duration count is the request count: exact by route, method and status; no counter; no bad lines', async () => {
      const { daemon } = shared
      await serveShop(
        expect,
        factory,
        { port: daemon.port, naming: 'otel', prefix: null, flushIntervalMs: NO_INTERVAL },
        REQUESTS,
      )
      const total = Object.values(DAEMON_DURATIONS).reduce((a, b) => a + b, 0)
      await waitUntil(
        async () => {
          const counts = await daemon.timerCounts()
          return Object.values(counts).reduce((a, b) => a + b, 0) >= total
        },
        'the daemon has every duration',
        10_000,
        20,
      )
      expect(await daemon.timerCounts()).toEqual(DAEMON_DURATIONS)
      const counters = await daemon.counters()
      expect(Object.keys(counters).filter((key) => !key.startsWith('statsd.'))).toEqual([])
      expect(await daemon.badLines()).toBe(0)
    })
  })

  describe(`${factory.name}, otel naming: attributes as the conventions define them`, () => {
    let subject: Measured | undefined
    afterEach(async () => {
      await subject?.close()
      subject = undefined
    })

    it('http.route is the template, absent when unmatched; error.type only on 5xx; scheme and version from the connection', async () => {
      subject = await measured(factory, SHOP, 'tags', { naming: 'otel' })
      const { app, receiver } = subject
      for (const [method, path, status] of REQUESTS)
        expect((await fetchText(app.port, method, path)).status).toBe(status)
      await subject.settle()
      const series = receiver
        .find(DURATION)
        .map((sample) => JSON.stringify(sample.tags))
        .sort()
      const expected = [
        { m: 'GET', s: '200', r: '/api/v1/users/:id' },
        { m: 'GET', s: '200', r: '/api/v1/users/:id' },
        { m: 'GET', s: '404', r: '/api/v1/users/:id' },
        { m: 'POST', s: '201', r: '/api/v1/users' },
        { m: 'GET', s: '409', r: '/tenants/:tenant/orders/:orderId' },
        { m: 'GET', s: '500', r: '/broken', e: '500' },
        { m: 'GET', s: '500', r: '/broken', e: '500' },
        { m: 'GET', s: '404' },
      ].map(({ m, s, r, e }) =>
        JSON.stringify({
          'http.request.method': m,
          'http.response.status_code': s,
          ...(r === undefined ? {} : { 'http.route': r }),
          ...CONNECTION,
          ...(e === undefined ? {} : { 'error.type': e }),
        }),
      )
      expect(series).toEqual(expected.sort())
      expect(receiver.find('http.server.requests')).toEqual([])
      expect(receiver.timings('db.query', { 'http.route': '/api/v1/users/:id' })).toHaveLength(3)
    })

    it('a client that leaves first: error.type "aborted", no http.response.status_code, one duration', async () => {
      const entered = deferred()
      const release = deferred()
      const finished = deferred()
      subject = await measured(
        factory,
        {
          routes: [
            {
              method: 'GET',
              path: '/reports/:id',
              async handler() {
                entered.resolve()
                await release.promise
                finished.resolve()
                return { json: { late: true } }
              },
            },
          ],
        },
        'tags',
        { naming: 'otel' },
      )
      const { app, meter, receiver } = subject
      const client = startRequest(app.port, 'GET', '/reports/7')
      await entered.promise
      client.abandon()
      await client.closed
      await waitUntil(() => meter.stats().activeRequests === 0, 'the abort is recorded')
      release.resolve()
      await finished.promise
      await subject.settle()
      expect(receiver.find(DURATION).map((sample) => sample.tags)).toEqual([
        {
          'http.request.method': 'GET',
          'http.route': '/reports/:id',
          ...CONNECTION,
          'error.type': 'aborted',
        },
      ])
    })

    it('http.server.active_requests per http.request.method and url.scheme: 1 while in flight, 0 after', async () => {
      const entered = deferred()
      const release = deferred()
      subject = await measured(
        factory,
        {
          routes: [
            {
              method: 'POST',
              path: '/jobs',
              async handler() {
                entered.resolve()
                await release.promise
                return { status: 202 }
              },
            },
            { method: 'GET', path: '/health', handler: () => ({ text: 'ok' }) },
          ],
        },
        'tags',
        { naming: 'otel' },
      )
      const { app, meter, receiver } = subject
      expect((await fetchText(app.port, 'GET', '/health')).status).toBe(200)
      const client = startRequest(app.port, 'POST', '/jobs', '{}')
      await entered.promise
      await meter.flush()
      const post = { 'http.request.method': 'POST', 'url.scheme': 'http' }
      const get = { 'http.request.method': 'GET', 'url.scheme': 'http' }
      await receiver.waitFor((r) => r.gauge(ACTIVE, post) === 1)
      expect(receiver.gauge(ACTIVE, get)).toBe(0)
      release.resolve()
      expect(await client.head).toBe(202)
      await subject.settle()
      expect(receiver.gauge(ACTIVE, post)).toBe(0)
      // Every gauge carries both attributes: no request here came without a Node response.
      for (const sample of receiver.find(ACTIVE))
        expect(Object.keys(sample.tags).sort()).toEqual(['http.request.method', 'url.scheme'])
    })
  })
}
