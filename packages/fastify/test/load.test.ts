import http from 'node:http'
import { type StatsdDaemon, startStatsdDaemon } from '@routemeter/core/testing'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { eventually, listen, NO_INTERVAL } from './support'

const TOTAL = 10_000
const CONCURRENCY = 32
/** Requests between pauses that let the single-threaded daemon read what was sent (see below). */
const PACE = 1_000

class HttpError extends Error {
  constructor(readonly statusCode: number) {
    super(`status ${statusCode}`)
  }
}

/** One kind of request in the mix: what is sent, and the series it must land in (or none). */
interface Kind {
  method: string
  path: (i: number) => string
  status: number
  series: { route: string; method: string } | undefined
}

const KINDS: Kind[] = [
  {
    method: 'GET',
    path: (i) => `/users/${i}`,
    status: 200,
    series: { route: '-users-id', method: 'GET' },
  },
  {
    method: 'GET',
    path: (i) => `/users/${i}?fields=name`,
    status: 200,
    series: { route: '-users-id', method: 'GET' },
  },
  {
    method: 'POST',
    path: () => '/orders',
    status: 201,
    series: { route: '-orders', method: 'POST' },
  },
  {
    method: 'GET',
    path: (i) => `/legacy/${i}`,
    status: 301,
    series: { route: '-legacy-id', method: 'GET' },
  },
  {
    method: 'GET',
    path: (i) => `/items/${i}`,
    status: 404,
    series: { route: '-items-id', method: 'GET' },
  },
  {
    method: 'GET',
    path: (i) => `/no-such-page/${i}`,
    status: 404,
    series: { route: 'unmatched', method: 'GET' },
  },
  {
    method: 'PUT',
    path: (i) => `/orders/${i}`,
    status: 409,
    series: { route: '-orders-id', method: 'PUT' },
  },
  {
    method: 'DELETE',
    path: (i) => `/orders/${i}`,
    status: 500,
    series: { route: '-orders-id', method: 'DELETE' },
  },
  {
    method: 'PATCH',
    path: (i) => `/users/${i}`,
    status: 422,
    series: { route: '-users-id', method: 'PATCH' },
  },
  { method: 'GET', path: () => '/health', status: 200, series: undefined },
  { method: 'GET', path: (i) => `/internal/${i}`, status: 200, series: undefined },
]

function seriesKey(route: string, method: string, status: number): string {
  return `http.server.requests;route=${route};method=${method};status_code=${status};status_class=${Math.floor(status / 100)}xx`
}

function send(agent: http.Agent, port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, agent }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
    })
    request.on('error', reject)
    request.end()
  })
}

describe('a 10 000-request mixed load gives exact counts in the real statsd daemon', () => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())

  it('by route, method and status, over a listening server', async () => {
    const app = Fastify()
    await app.register(routemeter, {
      port: daemon.port,
      flushIntervalMs: NO_INTERVAL,
      exclude: ['/health'],
    })
    app.get('/users/:id', async (request) => {
      await request.metrics.time('db.query', async () => 'row')
      return { id: (request.params as { id: string }).id }
    })
    app.patch('/users/:id', async () => Promise.reject(new HttpError(422)))
    app.post('/orders', async (_request, reply) => reply.code(201).send({ created: true }))
    app.put('/orders/:id', async () => {
      throw new HttpError(409)
    })
    app.delete('/orders/:id', () => {
      throw new Error('storage offline')
    })
    app.get('/legacy/:id', async (request, reply) =>
      reply.redirect(`/users/${(request.params as { id: string }).id}`, 301),
    )
    app.get('/items/:id', async (_request, reply) => reply.callNotFound())
    app.get('/health', async () => 'ok')
    app.get('/internal/:id', { config: { metrics: false } }, async () => 'ok')
    const port = await listen(app)

    const expected = new Map<string, number>()
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
    const linesBefore = (await daemon.counters())['statsd.metrics_received'] ?? 0
    let sent = 0
    let unmeasured = 0
    let pacedAt = 0
    while (sent < TOTAL) {
      const batch: Promise<void>[] = []
      for (let slot = 0; slot < CONCURRENCY && sent < TOTAL; slot++, sent++) {
        const i = sent
        const kind = KINDS[i % KINDS.length] as Kind
        if (kind.series) {
          const key = seriesKey(kind.series.route, kind.series.method, kind.status)
          expected.set(key, (expected.get(key) ?? 0) + 1)
        } else {
          unmeasured++
        }
        batch.push(
          send(agent, port, kind.method, kind.path(i)).then((status) => {
            expect({ path: kind.path(i), status }).toEqual({
              path: kind.path(i),
              status: kind.status,
            })
          }),
        )
      }
      await Promise.all(batch)
      if (sent - pacedAt >= PACE || sent === TOTAL) {
        pacedAt = sent
        // The Etsy daemon reads UDP on one JavaScript thread, on the same two cores as this test:
        // a burst larger than the kernel's receive buffer would be dropped before it reads it.
        // So every PACE requests the test waits until the daemon has taken in every line sent.
        await eventually(() => app.metrics.stats().activeRequests === 0, 'all requests recorded')
        await app.metrics.flush()
        const lines = app.metrics.stats().lines
        await daemon.waitForCounters(
          (c) => (c['statsd.metrics_received'] ?? 0) - linesBefore >= lines,
        )
      }
    }
    agent.destroy()
    await app.close()
    expect(app.metrics.stats().droppedLines).toBe(0)

    const counters = await daemon.waitForCounters((c) => {
      let total = 0
      for (const key of expected.keys()) total += c[key] ?? 0
      return total >= [...expected.values()].reduce((a, b) => a + b, 0)
    })
    const measured: Record<string, number> = {}
    for (const [key, value] of Object.entries(counters)) {
      if (key.startsWith('http.server.requests;')) measured[key] = value
    }
    // Exactly the expected series with exactly the expected counts: nothing lost, nothing twice,
    // nothing for the excluded path or the opted-out route.
    expect(measured).toEqual(Object.fromEntries(expected))
    expect(Object.values(measured).reduce((a, b) => a + b, 0)).toBe(TOTAL - unmeasured)
    expect(counters['statsd.bad_lines_seen']).toBe(0)
  })
})
