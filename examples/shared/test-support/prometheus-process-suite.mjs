import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { scrapeRequestCounts } from '../src/exposition.mjs'
import { killServers, startServer } from './server-process.mjs'

/** Requests of several routes and statuses: method, path, route template (null: unmatched), body. */
const SHOP_LOAD = [
  ['GET', '/api/products', '/api/products'],
  ['GET', '/api/products/3', '/api/products/:id'],
  ['GET', '/api/products/999', '/api/products/:id'],
  ['GET', '/api/products/abc', '/api/products/:id'],
  ['POST', '/api/orders', '/api/orders', { productId: 3, quantity: 2 }],
  ['POST', '/api/carts/10/checkout', '/api/carts/:cartId/checkout'],
  ['POST', '/api/carts/11/checkout', '/api/carts/:cartId/checkout'],
  ['GET', '/no/such/page', null],
]
/** How each naming style labels a request no route matched (`exposition.mjs`: `-` is none). */
const UNMATCHED = { tags: 'unmatched', path: 'unmatched', otel: '-' }

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A loopback TCP port free right now, for PROMETHEUS_PORT. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** One request on a fresh connection, so that a cluster's primary hands each to the next worker. */
function request(url, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' }
    const req = http.request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, worker: res.headers['x-worker-id'] }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** Counts keyed as `requestCounts` keys a scrape: `METHOD route status`. */
export class Tally {
  constructor(style) {
    this.style = style
    this.counts = new Map()
  }
  add(key, n = 1) {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n)
  }
  get(key) {
    return this.counts.get(key) ?? 0
  }
  get total() {
    return [...this.counts.values()].reduce((a, b) => a + b, 0)
  }
  toObject() {
    return sorted(this.counts)
  }
}

export function sorted(counts) {
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
}

/**
 * Sends every request of the shop load `rounds` times, one at a time, and tallies in `served`
 * what the client got back. `onAnswer(key, response)` sees each answer. A connection that fails
 * (a worker killed under it) got no answer: not served, tried again.
 */
export async function sendLoad(url, rounds, served, onAnswer = () => {}) {
  for (let round = 0; round < rounds; round++) {
    for (const [method, path, template, body] of SHOP_LOAD) {
      let response
      for (let attempt = 1; response === undefined; attempt++) {
        try {
          response = await request(url, method, path, body)
        } catch (error) {
          if (attempt === 3) throw error
          await sleep(50)
        }
      }
      const key = `${method} ${template ?? UNMATCHED[served.style]} ${response.status}`
      served.add(key)
      onAnswer(key, response)
    }
  }
}

/** Scrapes until the counts equal `expected` (flushes arrive in their own time); the last scrape. */
export async function waitForCounts(url, style, expected, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = sorted(await scrapeRequestCounts(url, style))
    if (JSON.stringify(counts) === JSON.stringify(expected) || Date.now() > deadline) return counts
    await sleep(100)
  }
}

/**
 * The Prometheus checks every example's process passes: started with PROMETHEUS_PORT (and
 * `workers` as WORKERS, for a cluster), Prometheus only (ROUTEMETER_STATSD=false), in tag, path
 * and OpenTelemetry naming, its /metrics totals equal what the client got back, route by route and
 * status by status, summed over every worker.
 */
export function describePrometheusProcess(framework, { workers = 1 } = {}) {
  const shape = workers > 1 ? `a cluster of ${workers} workers` : 'one process'
  describe(`the ${framework} example with PROMETHEUS_PORT, as ${shape}`, () => {
    afterEach(killServers)
    const cluster = workers > 1 ? { WORKERS: String(workers) } : {}

    it.each(['tags', 'path', 'otel'])(
      'STATSD_NAMING=%s: /metrics on 127.0.0.1:PROMETHEUS_PORT counts exactly what was served',
      async (style) => {
        const port = await freePort()
        const server = await startServer({
          PROMETHEUS_PORT: String(port),
          STATSD_NAMING: style,
          ROUTEMETER_STATSD: 'false',
          STATSD_FLUSH_INTERVAL_MS: '200',
          ...cluster,
        })
        expect(server.metrics).toBe(`http://127.0.0.1:${port}/metrics`)

        const served = new Tally(style)
        const answeredBy = new Set()
        await sendLoad(server.url, 5, served, (_key, { worker }) => answeredBy.add(worker))
        expect(served.total).toBe(40)
        expect(served.get('POST /api/carts/:cartId/checkout 500')).toBe(5)
        expect(served.get(`GET ${UNMATCHED[style]} 404`)).toBe(5)
        // Each worker answered a share: only their sum can match.
        if (workers > 1) expect(answeredBy.size).toBe(workers)

        expect(await waitForCounts(server.metrics, style, served.toObject())).toEqual(
          served.toObject(),
        )
        expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
      },
    )

    it('fails fast with the variable named when PROMETHEUS_PORT is invalid', async () => {
      await expect(startServer({ PROMETHEUS_PORT: 'ninety', ...cluster })).rejects.toThrow(
        /exited \(1\) before listening:[\s\S]*PROMETHEUS_PORT/,
      )
    })

    it('fails at start-up, saying so, when PROMETHEUS_PORT is taken', async () => {
      const squatter = net.createServer()
      await new Promise((resolve) => squatter.listen(0, '127.0.0.1', resolve))
      const { port } = squatter.address()
      try {
        await expect(startServer({ PROMETHEUS_PORT: String(port), ...cluster })).rejects.toThrow(
          new RegExp(
            `exited \\(1\\) before listening:[\\s\\S]*cannot serve /metrics on 127\\.0\\.0\\.1:${port}`,
          ),
        )
      } finally {
        squatter.close()
      }
    })
  })
}
