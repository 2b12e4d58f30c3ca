import { startStatsdDaemon } from '@routemeter/core/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { killServers, startServer } from './server-process.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function send(url, method, path, times) {
  const statuses = await Promise.all(
    Array.from({ length: times }, () =>
      fetch(url + path, { method }).then(async (response) => {
        await response.arrayBuffer()
        return response.status
      }),
    ),
  )
  return statuses
}

/**
 * The shop service's process-level checks, the same for every example that serves it with
 * `serve()` (./src/serve.mjs): run from the example's folder, it starts `src/server.mjs` as a
 * child process against the real statsd daemon and checks STATSD_*-only configuration, exact
 * totals after SIGTERM and SIGINT with a slow request in flight, and a bad variable named at
 * start-up. `more(statsd)`, when given, adds the example's own cases to the same block: they run
 * against the same daemon (`statsd.daemon()`), cleared before each and with every server killed
 * after each.
 */
export function describeShopProcess(framework, more) {
  describe(`the ${framework} example as a process, pushing to the real statsd daemon`, () => {
    let daemon
    beforeAll(async () => {
      daemon = await startStatsdDaemon()
    })
    afterAll(() => daemon?.close())
    beforeEach(() => daemon.clear())
    afterEach(killServers)

    it('is configured by STATSD_* variables alone, and its metrics arrive while it runs', async () => {
      const server = await startServer({
        STATSD_PORT: String(daemon.port),
        STATSD_SERVICE: 'shop',
        STATSD_ENVIRONMENT: 'test',
        STATSD_FLUSH_INTERVAL_MS: '100',
      })
      expect(await send(server.url, 'GET', '/api/products/3', 5)).toEqual(Array(5).fill(200))

      // Tag style by default; the daemon folds the tags into its key and drops ':' from values.
      const key =
        'applications.shop.test.http.server.requests;route=-api-products-id;method=GET;status_code=200;status_class=2xx'
      const counters = await daemon.waitForCounters((c) => c[key] === 5)
      expect(counters[key]).toBe(5)
      const timers = await daemon.timers()
      expect(
        timers['applications.shop.test.db.query;route=-api-products-id;method=GET'],
      ).toHaveLength(5)

      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
    })

    it.each(['SIGTERM', 'SIGINT'])(
      'on %s answers the request in flight, flushes every count and exits 0',
      async (signal) => {
        const server = await startServer({
          STATSD_PORT: String(daemon.port),
          STATSD_NAMING: 'path',
          STATSD_PREFIX: 'shop',
          // No interval flush during the test: only the shutdown flush can deliver the counts.
          STATSD_FLUSH_INTERVAL_MS: '600000',
        })
        expect(await send(server.url, 'GET', '/api/products/3', 20)).toEqual(Array(20).fill(200))
        expect(await send(server.url, 'GET', '/api/products/999', 10)).toEqual(Array(10).fill(404))
        expect(await send(server.url, 'POST', '/api/carts/5/checkout', 5)).toEqual(
          Array(5).fill(500),
        )
        expect(await send(server.url, 'GET', '/wp-login.php', 5)).toEqual(Array(5).fill(404))
        const slow = fetch(`${server.url}/api/reports/sales`)
        await sleep(100)
        const exit = server.stop(signal)

        const response = await slow
        expect(response.status).toBe(200)
        expect(await response.json()).toMatchObject({ period: 'last-30-days' })
        expect(await exit).toEqual({ code: 0, signal: null })

        const expected = {
          'shop.counters.api.products._id.GET.200': 20,
          'shop.counters.api.products._id.GET.404': 10,
          'shop.counters.api.carts._cartId.checkout.POST.500': 5,
          'shop.counters._unmatched.GET.404': 5,
          'shop.counters.api.reports.sales.GET.200': 1,
        }
        const counters = await daemon.waitForCounters((c) =>
          Object.keys(expected).every((key) => c[key] === expected[key]),
        )
        const received = Object.fromEntries(
          Object.entries(counters).filter(([key]) => key.startsWith('shop.counters.')),
        )
        expect(received).toEqual(expected)
        expect(counters['statsd.bad_lines_seen']).toBe(0)
        expect(
          (await daemon.timers())['shop.timers.api.reports.sales.GET.report.render'],
        ).toHaveLength(1)
      },
    )

    it('fails fast with the variable named when a STATSD_* value is invalid', async () => {
      await expect(startServer({ STATSD_PORT: 'eighty' })).rejects.toThrow(
        /exited \(1\) before listening:[\s\S]*STATSD_PORT/,
      )
    })

    more?.({ daemon: () => daemon })
  })
}
