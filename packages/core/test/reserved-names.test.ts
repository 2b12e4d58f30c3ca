import { describe, expect, it } from 'vitest'
import { createCaptureMeter } from '../src/testing'

// Decision: a user metric named like one of routemeter's own is not recorded (never thrown into
// the handler); one 'reserved-name' fault is counted per call and logged once naming it.
describe("user metrics named like routemeter's own metrics are refused, not mixed in", () => {
  it('tag style: request.metrics.timer and meter-level metrics under the request metric names', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({ logger: { warn: (m) => warnings.push(m) } })
    const { meter } = capture
    const route = meter.route('/orders/:id')
    // What both adapters hand to a handler as request.metrics / res.locals.metrics.
    const metrics = route.scope('GET')
    metrics.timer('http.server.requests')()
    metrics.time('http.server.duration', () => 1)
    meter.timing('http.server.requests', 5)
    meter.increment('http.server.duration')
    meter.gauge('http.server.active_requests', 40)
    meter.set('process.memory.rss_bytes', 'x')
    metrics.timer('db.query')()
    route.record('GET', 200, 12)
    await meter.flush()
    expect(capture.find('http.server.requests').map((s) => s.type)).toEqual(['c'])
    expect(capture.find('http.server.duration').map((s) => s.type)).toEqual(['ms'])
    expect(capture.counter('http.server.requests')).toBe(1)
    expect(capture.find('http.server.active_requests')).toEqual([])
    expect(capture.find('process.memory.rss_bytes')).toEqual([])
    expect(capture.timings('db.query')).toHaveLength(1)
    const stats = meter.stats()
    expect(stats.faults['reserved-name']).toBe(6)
    expect(stats.overflowed).toBe(0)
    expect(warnings.filter((w) => w.includes('reserved-name'))).toHaveLength(1)
    expect(warnings[0]).toContain('"http.server.requests" is the name of the request counter')
  })

  it('a name that only sanitises to a reserved one is refused too', async () => {
    const capture = createCaptureMeter({ logger: { warn: () => {} } })
    capture.meter.route('/').scope('GET').timer('http..server.requests.')()
    await capture.meter.flush()
    expect(capture.lines()).toEqual([])
    expect(capture.meter.stats().faults['reserved-name']).toBe(1)
  })

  it('path style: an execution timer named like a status, meter metrics under counters./timers./gauges.', async () => {
    const capture = createCaptureMeter({ naming: 'path', logger: { warn: () => {} } })
    const { meter } = capture
    const route = meter.route('/orders/:id')
    route.scope('GET').timer('200')()
    meter.increment('counters.orders')
    meter.timing('timers.x', 1)
    meter.gauge('gauges.http.server.active_requests', 3)
    route.scope('GET').timer('db.query')()
    meter.increment('orders.created')
    route.record('GET', 200, 12)
    await meter.flush()
    expect(capture.find('timers.orders._id.GET.200').map((s) => s.values)).toEqual([['12']])
    expect(capture.counter('counters.orders._id.GET.200')).toBe(1)
    expect(capture.timings('timers.orders._id.GET.db.query')).toHaveLength(1)
    expect(capture.counter('orders.created')).toBe(1)
    expect(capture.lines()).toHaveLength(4)
    expect(meter.stats().faults['reserved-name']).toBe(4)
  })
})
