import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMeter } from '../src/index'
import { type StatsdDaemon, startStatsdDaemon } from '../src/testing'

const ROUTES = ['/', '/users/:id', '/orders/:orderId/items', '/health']
const STATUSES = [200, 201, 404, 500]
const METHODS = ['GET', 'POST']

describe('the real npm statsd daemon receives exact counts', () => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())

  it.each(['tags', 'path'] as const)(
    '100 000 recorded requests, %s style, by route, method and status',
    async (naming) => {
      await daemon.clear()
      const linesBefore = (await daemon.counters())['statsd.metrics_received'] ?? 0
      const meter = createMeter({ port: daemon.port, naming, flushIntervalMs: 50 })
      const expected = new Map<string, number>()
      for (let i = 0; i < 100_000; i++) {
        const route = ROUTES[i % ROUTES.length] as string
        const method = METHODS[(i >> 2) % METHODS.length] as string
        const status = STATUSES[(i >> 3) % STATUSES.length] as number
        meter.recordRequest({ route, method, statusCode: status, durationMs: (i % 100) / 10 })
        const key = `${route} ${method} ${status}`
        expected.set(key, (expected.get(key) ?? 0) + 1)
        // The Etsy daemon is one JavaScript thread: a burst larger than the kernel's UDP receive
        // buffer is dropped by the kernel before it reads it. Pace the load to the daemon's speed.
        if (i % 500 === 499) {
          await meter.flush()
          const sent = meter.stats().lines
          await daemon.waitForCounters(
            (c) => (c['statsd.metrics_received'] ?? 0) - linesBefore >= sent,
          )
        }
      }
      await meter.close()
      expect(meter.stats().droppedLines).toBe(0)

      const keyFor = (route: string, method: string, status: number): string => {
        if (naming === 'path') {
          const segments =
            route === '/' ? '_root' : route.slice(1).replaceAll(':', '_').replaceAll('/', '.')
          return `counters.${segments}.${method}.${status}`
        }
        // The daemon turns "route:/users/:id" into "route=-users-id" (first ':' → '=', '/' → '-').
        const routeKey = route.replaceAll('/', '-').replaceAll(':', '')
        return `http.server.requests;route=${routeKey};method=${method};status_code=${status};status_class=${Math.floor(status / 100)}xx`
      }
      const counters = await daemon.waitForCounters((c) => {
        let total = 0
        for (const [key] of expected) {
          const [route, method, status] = key.split(' ') as [string, string, string]
          total += c[keyFor(route, method, Number(status))] ?? 0
        }
        return total >= 100_000
      })
      for (const [key, count] of expected) {
        const [route, method, status] = key.split(' ') as [string, string, string]
        expect({ key, count: counters[keyFor(route, method, Number(status))] }).toEqual({
          key,
          count,
        })
      }
      expect(counters['statsd.bad_lines_seen']).toBe(0)
    },
  )

  // Why the README says `ms` (the default) for Etsy statsd: the daemon cannot be asked what it
  // reads, so `timerType` h/d cannot be refused at start-up; this is what it does with them.
  it('timerType h or d reaches the Etsy daemon as counters (sums of durations), not as timers: undetectable, documented', async () => {
    await daemon.clear()
    for (const timerType of ['h', 'd'] as const) {
      const meter = createMeter({
        port: daemon.port,
        naming: 'path',
        flushIntervalMs: 50,
        timerType,
      })
      meter.route('/etsy').record('GET', 200, 5)
      meter.route('/etsy').record('GET', 200, 7)
      await meter.close()
    }
    const counters = await daemon.waitForCounters(
      (c) => (c['timers.etsy.GET.200'] ?? 0) >= 24 && (c['counters.etsy.GET.200'] ?? 0) >= 4,
    )
    expect(counters['timers.etsy.GET.200']).toBe(24)
    expect(counters['statsd.bad_lines_seen']).toBe(0)
    expect((await daemon.timers())['timers.etsy.GET.200']).toBeUndefined()
  })
})
