import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMeter } from '../src/index'
import { type StatsdDaemon, startStatsdDaemon } from '../src/testing'

const ROUTES = ['/users/:id', '/orders/:orderId/items']
const STATUSES = [200, 404, 500, 499]
const METHODS = ['GET', 'POST', 'PROPFIND']

/** The daemon's key for a duration series: tags folded in as `;k=v`, `/` → `-`, `:` dropped. */
function daemonKey(route: string, method: string, status: number): string {
  const otelMethod = method === 'PROPFIND' ? '_OTHER' : method
  let key = `http.server.request.duration;http.request.method=${otelMethod}`
  if (status !== 499) key += `;http.response.status_code=${status}`
  key += `;http.route=${route.replaceAll('/', '-').replaceAll(':', '')}`
  if (status === 499) key += ';error.type=aborted'
  else if (status >= 500) key += `;error.type=${status}`
  return key
}

// OpenTelemetry has no request counter: the count is the duration's count. The reference Etsy
// daemon must hold exactly one timer value per request, for every series.
describe('otel naming against the real statsd daemon: the duration count is the request count', () => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())

  it('20 000 recorded requests: exact counts by route, method and status; no counter; no bad lines', async () => {
    const linesBefore = (await daemon.counters())['statsd.metrics_received'] ?? 0
    const meter = createMeter({ port: daemon.port, naming: 'otel', flushIntervalMs: 3_600_000 })
    const expected: Record<string, number> = {}
    for (let i = 0; i < 20_000; i++) {
      const route = ROUTES[i % ROUTES.length] as string
      const method = METHODS[(i >> 1) % METHODS.length] as string
      const status = STATUSES[(i >> 3) % STATUSES.length] as number
      meter.recordRequest({ route, method, statusCode: status, durationMs: (i % 100) / 10 })
      const key = daemonKey(route, method, status)
      expected[key] = (expected[key] ?? 0) + 1
      // Paced to the daemon's speed, as in statsd-daemon.test.ts (one JavaScript thread).
      if (i % 500 === 499) {
        await meter.flush()
        const sent = meter.stats().lines
        await daemon.waitForCounters(
          (c) => (c['statsd.metrics_received'] ?? 0) - linesBefore >= sent,
        )
      }
    }
    await meter.close()
    expect(meter.stats()).toMatchObject({ droppedLines: 0, lines: 20_000 })
    const counters = await daemon.waitForCounters(
      (c) => (c['statsd.metrics_received'] ?? 0) - linesBefore >= 20_000,
    )
    expect(counters['statsd.bad_lines_seen']).toBe(0)
    expect(Object.keys(counters).filter((key) => !key.startsWith('statsd.'))).toEqual([])
    const counts = await daemon.timerCounts()
    expect(counts).toEqual(expected)
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(20_000)
  })
})
