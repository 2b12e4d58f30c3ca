import http from 'node:http'
import { startServer } from '@routemeter/example-shared/server-process'
import { describeShopProcess } from '@routemeter/example-shared/shop-process-suite'
import { expect, it } from 'vitest'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** One request on a fresh connection, so a cluster's primary hands each to the next worker. */
function request(url, method, path) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, worker: res.headers['x-worker-id'] }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function send(url, method, path, times) {
  const results = []
  for (let i = 0; i < times; i++) results.push(await request(url, method, path))
  return results
}

function shopCounters(counters) {
  return Object.fromEntries(
    Object.entries(counters).filter(([key]) => key.startsWith('shop.counters.')),
  )
}

// The shared cases (tag-style configuration, SIGTERM/SIGINT with a request in flight, a bad
// STATSD_PORT), then Express's own: path style while running, and the cluster (WORKERS).
describeShopProcess('Express', (statsd) => {
  it('path style: configured by STATSD_* variables alone, its metrics arrive while it runs', async () => {
    const server = await startServer({
      STATSD_PORT: String(statsd.daemon().port),
      STATSD_NAMING: 'path',
      STATSD_PREFIX: 'shop',
      STATSD_FLUSH_INTERVAL_MS: '100',
    })
    const results = await send(server.url, 'GET', '/api/products/3', 5)
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200])

    const key = 'shop.counters.api.products._id.GET.200'
    expect((await statsd.daemon().waitForCounters((c) => c[key] === 5))[key]).toBe(5)
    expect(
      (await statsd.daemon().timers())['shop.timers.api.products._id.GET.db.query'],
    ).toHaveLength(5)

    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
  })

  it('WORKERS=2 runs a cluster: both workers serve, and statsd sums their pushes to the exact total', async () => {
    const server = await startServer({
      WORKERS: '2',
      STATSD_PORT: String(statsd.daemon().port),
      STATSD_NAMING: 'path',
      STATSD_PREFIX: 'shop',
      STATSD_FLUSH_INTERVAL_MS: '600000',
    })
    expect(server.workers).toBe(2)
    const results = [
      ...(await send(server.url, 'GET', '/api/products/3', 40)),
      ...(await send(server.url, 'GET', '/api/products/999', 20)),
    ]
    const byWorker = new Map()
    for (const { worker } of results) byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1)
    expect([...byWorker.keys()].sort()).toEqual(['1', '2'])
    // Each worker alone saw only its share: a per-process /metrics endpoint would report that.
    for (const share of byWorker.values()) expect(share).toBeLessThan(60)

    const slow = request(server.url, 'GET', '/api/reports/sales')
    await sleep(100)
    const exit = server.stop('SIGTERM')
    expect((await slow).status).toBe(200)
    expect(await exit).toEqual({ code: 0, signal: null })

    const expected = {
      'shop.counters.api.products._id.GET.200': 40,
      'shop.counters.api.products._id.GET.404': 20,
      'shop.counters.api.reports.sales.GET.200': 1,
    }
    const counters = await statsd
      .daemon()
      .waitForCounters((c) => Object.keys(expected).every((key) => c[key] === expected[key]))
    expect(shopCounters(counters)).toEqual(expected)
  })

  it('fails fast with the variable named when a STATSD_* value is invalid, also as a cluster', async () => {
    await expect(startServer({ STATSD_NAMING: 'graphite' })).rejects.toThrow(
      /exited \(1\) before listening:[\s\S]*STATSD_NAMING/,
    )
    await expect(startServer({ WORKERS: '2', STATSD_NAMING: 'graphite' })).rejects.toThrow(
      /exited \(1\) before listening:[\s\S]*STATSD_NAMING/,
    )
  })
})
