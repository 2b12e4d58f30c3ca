import { type StatsdReceiver, startStatsdReceiver, waitUntil } from '@routemeter/core/testing'
import { promtoolCheckMetrics } from '@routemeter/test-support'
import type { StartedApp } from './adapter'
import { fetchText, fetchWithHeaders } from './client'
import { NO_INTERVAL } from './net'
import { SHOP, type ShopRequest } from './shop-app'
import type { SuiteContext } from './suite'

/**
 * `prometheus: { route: '/metrics' }` through every adapter: the app answers scrapes on its own
 * port, the scrape itself is not counted, and the totals a scrape reads are exactly the
 * requests the app served — route by route, method and status — in either naming style, with
 * StatsD pushing the same counts from the same meter at the same time.
 */

const REQUESTS: ReadonlyArray<ShopRequest> = [
  ['GET', '/api/v1/users/1', 200],
  ['GET', '/api/v1/users/2', 200],
  ['GET', '/api/v1/users/missing', 404],
  ['POST', '/api/v1/users', 201],
  ['DELETE', '/api/v1/users/7', 204],
  ['GET', '/tenants/acme/orders/9', 409],
  ['GET', '/broken', 500],
  ['GET', '/broken', 500],
  ['GET', '/health', 200],
  ['GET', '/nope/123', 404],
]

/** What the shop served, as `route method status` → requests (tag style's labels). */
const SERVED: Record<string, number> = {
  '/api/v1/users/:id GET 200': 2,
  '/api/v1/users/:id GET 404': 1,
  '/api/v1/users POST 201': 1,
  '/api/v1/users/:id DELETE 204': 1,
  '/tenants/:tenant/orders/:orderId GET 409': 1,
  '/broken GET 500': 2,
  '/health GET 200': 1,
  'unmatched GET 404': 1,
}

/** Sample lines of `name`, as their label text → value. */
function samples(exposition: string, name: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const space = line.lastIndexOf(' ')
    out.set(line.slice(name.length, space), Number(line.slice(space + 1)))
  }
  return out
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[match[1] as string] = match[2] as string
  return labels
}

/** Tag style's counter as `route method status` → count. */
function tagCounts(exposition: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [labels, value] of samples(exposition, 'http_server_requests_total')) {
    const { route, method, status_code } = labelsOf(labels)
    out[`${route} ${method} ${status_code}`] = value
  }
  return out
}

/** Otel style's histogram counts as `route method status` → count (`unmatched` for no route). */
function otelCounts(exposition: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [labels, value] of samples(exposition, 'http_server_request_duration_seconds_count')) {
    const l = labelsOf(labels)
    out[`${l.http_route ?? 'unmatched'} ${l.http_request_method} ${l.http_response_status_code}`] =
      value
  }
  return out
}

export function prometheusSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  describe(`${factory.name}, Prometheus on the app's own port`, () => {
    let app: StartedApp | undefined
    let receiver: StatsdReceiver | undefined
    afterEach(async () => {
      await app?.shutdown()
      await app?.dispose()
      await receiver?.close()
      app = undefined
      receiver = undefined
    })

    async function serve(): Promise<StartedApp> {
      const started = app as StartedApp
      for (const [method, path, status] of REQUESTS)
        expect({ path, status: (await fetchText(started.port, method, path)).status }).toEqual({
          path,
          status,
        })
      return started
    }

    it('a scrape of /metrics reads exactly what was served, route by route, and is not counted itself; StatsD gets the same counts', async () => {
      receiver = await startStatsdReceiver()
      app = await factory.start(SHOP, {
        port: receiver.port,
        prefix: null,
        flushIntervalMs: NO_INTERVAL,
        bodySizes: true,
        prometheus: { route: '/metrics' },
      })
      await serve()
      const first = await fetchWithHeaders(app.port, 'GET', '/metrics')
      expect(first.status).toBe(200)
      expect(first.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
      expect(tagCounts(first.body)).toEqual(SERVED)
      // Nothing else in flight: the scrape being answered is not a request in flight either.
      expect(samples(first.body, 'http_server_active_requests').get('')).toBe(0)
      // A second scrape: the first one was not counted as a request of the app's.
      const second = await fetchWithHeaders(app.port, 'GET', '/metrics?x=1')
      expect(tagCounts(second.body)).toEqual(SERVED)
      const durations = samples(second.body, 'http_server_duration_seconds_count')
      expect([...durations.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS.length)
      expect(
        samples(second.body, 'db_query_seconds_count').get(
          '{route="/api/v1/users/:id",method="GET"}',
        ),
      ).toBe(3)
      // Body sizes are byte histograms, one observation per request answered.
      for (const name of ['http_server_request_bytes_count', 'http_server_response_bytes_count'])
        expect([...samples(second.body, name).values()].reduce((a, b) => a + b, 0)).toBe(
          REQUESTS.length,
        )
      expect(promtoolCheckMetrics(second.body)).toEqual({ ok: true, output: '' })
      // The same meter pushed the same counts over StatsD.
      await waitUntil(
        () => (receiver as StatsdReceiver).counter('http.server.requests') >= REQUESTS.length,
        'StatsD counts',
      )
      expect((receiver as StatsdReceiver).counter('http.server.requests')).toBe(REQUESTS.length)
    })

    it('otel naming: http_server_request_duration_seconds counts every request by http_route, method and status; OpenMetrics when asked', async () => {
      app = await factory.start(SHOP, {
        statsd: false,
        naming: 'otel',
        prometheus: { route: '/metrics' },
      })
      await serve()
      const text = await fetchWithHeaders(app.port, 'GET', '/metrics')
      expect(otelCounts(text.body)).toEqual(SERVED)
      expect(promtoolCheckMetrics(text.body)).toEqual({ ok: true, output: '' })
      const om = await fetchWithHeaders(app.port, 'GET', '/metrics', undefined, {
        accept:
          'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      })
      expect(om.headers['content-type']).toBe(
        'application/openmetrics-text; version=1.0.0; charset=utf-8',
      )
      expect(om.body.endsWith('# EOF\n')).toBe(true)
      expect(otelCounts(om.body)).toEqual(SERVED)
    })

    it('a hostile Accept header gets the text format; HEAD gets no body; a scrape flood is answered', async () => {
      app = await factory.start(SHOP, { statsd: false, prometheus: { route: '/metrics' } })
      await serve()
      const hostile = await fetchWithHeaders(app.port, 'GET', '/metrics', undefined, {
        accept: `${'application/openmetrics-text;q=abc;version=9,'.repeat(150)}==;;,`,
      })
      expect(hostile.status).toBe(200)
      expect(hostile.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
      const head = await fetchText(app.port, 'HEAD', '/metrics')
      expect(head.status).toBe(200)
      expect(head.body).toBe('')
      const flood = await Promise.all(
        Array.from({ length: 50 }, () => fetchWithHeaders(app?.port ?? 0, 'GET', '/metrics')),
      )
      expect(
        flood.every(
          (scrape) => scrape.status === 200 && tagCounts(scrape.body)['/health GET 200'] === 1,
        ),
      ).toBe(true)
      expect(tagCounts(flood[49]?.body ?? '')).toEqual(SERVED)
    })
  })
}
