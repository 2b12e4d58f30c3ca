import { settledMemory } from '@routemeter/test-support'
import { describe, expect, it } from 'vitest'
import { createCaptureMeter } from '../src/testing'

describe('aggregation: nothing is formatted or sent per recording', () => {
  it('sends nothing until a flush', async () => {
    const capture = createCaptureMeter({})
    for (let i = 0; i < 100; i++) capture.meter.route('/a').record('GET', 200, 1)
    expect(capture.payloads).toHaveLength(0)
    await capture.meter.flush()
    expect(capture.payloads.length).toBeGreaterThan(0)
  })

  it("a route's requests land in their own status's and method's series, in any order", async () => {
    const capture = createCaptureMeter({})
    const route = capture.meter.route('/a')
    // Each change of status or method, back and forth, after each series exists.
    const sequence: Array<[string, number]> = [
      ['GET', 200],
      ['GET', 404],
      ['GET', 200],
      ['GET', 200],
      ['POST', 200],
      ['GET', 404],
      ['GET', 404],
      ['POST', 200],
      ['GET', 200],
    ]
    for (const [method, status] of sequence) route.record(method, status, 1)
    await capture.meter.flush()
    const count = (method: string, status: string) =>
      capture.counter('http.server.requests', { method, status_code: status })
    expect(count('GET', '200')).toBe(4)
    expect(count('GET', '404')).toBe(3)
    expect(count('POST', '200')).toBe(2)
  })

  it('counters are exact sums, one line per series per flush', async () => {
    const capture = createCaptureMeter({})
    for (let i = 0; i < 1000; i++) capture.meter.increment('jobs')
    capture.meter.increment('jobs', 5)
    capture.meter.decrement('jobs', 2)
    capture.meter.increment('jobs', { queue: 'a' })
    await capture.meter.flush()
    expect(capture.lines()).toEqual(['jobs:1003|c', 'jobs:1|c|#queue:a'])
  })

  it('every timer sample reaches the wire, in datagrams never over maxBufferSize', async () => {
    const capture = createCaptureMeter({ maxBufferSize: 512, maxSamplesPerSeries: 100_000 })
    const values: number[] = []
    for (let i = 0; i < 5000; i++) {
      const value = (i % 97) + i / 1000
      values.push(Math.round(value * 1000) / 1000)
      capture.meter.route('/a').record('GET', 200, value)
    }
    await capture.meter.flush()
    expect(capture.timings('http.server.duration')).toEqual(values)
    expect(capture.counter('http.server.requests')).toBe(5000)
    for (const payload of capture.payloads) expect(payload.length).toBeLessThanOrEqual(512)
    // Many samples per datagram: batched, not one datagram per sample.
    expect(capture.payloads.length).toBeLessThan(5000 / 4)
  })

  it('packed values (DogStatsD) put many samples on one line, still within the datagram size', async () => {
    const capture = createCaptureMeter({
      packValues: true,
      maxSamplesPerSeries: 100_000,
      maxBufferSize: 1432,
    })
    for (let i = 0; i < 1000; i++) capture.meter.timing('t', i)
    await capture.meter.flush()
    expect(capture.timings('t')).toHaveLength(1000)
    expect(capture.payloads.length).toBeLessThanOrEqual(5)
    for (const payload of capture.payloads) expect(payload.length).toBeLessThanOrEqual(1432)
  })

  it('a series reaching maxSamplesPerSeries is flushed early, losing nothing', async () => {
    const capture = createCaptureMeter({ maxSamplesPerSeries: 50 })
    for (let i = 0; i < 120; i++) capture.meter.timing('t', 1)
    expect(capture.timings('t')).toHaveLength(100)
    await capture.meter.flush()
    expect(capture.timings('t')).toHaveLength(120)
  })

  it('gauges send the last value; deltas are summed; a negative absolute is sent as 0 then the delta', async () => {
    const capture = createCaptureMeter({})
    capture.meter.gauge('queue', 5)
    capture.meter.gauge('queue', 9)
    capture.meter.gaugeDelta('conns', 3)
    capture.meter.gaugeDelta('conns', -1)
    capture.meter.gauge('temp', -4)
    await capture.meter.flush()
    expect(capture.lines()).toEqual(['queue:9|g', 'conns:+2|g', 'temp:0|g', 'temp:-4|g'])
    expect(capture.gauge('temp')).toBe(-4)
    capture.clear()
    await capture.meter.flush()
    expect(capture.lines()).toEqual([])
  })

  it('sets send unique members once per flush', async () => {
    const capture = createCaptureMeter({})
    for (const user of ['a', 'b', 'a', 'c', 'b']) capture.meter.set('users', user)
    await capture.meter.flush()
    expect(capture.lines()).toEqual(['users:a|s', 'users:b|s', 'users:c|s'])
  })

  it('histogram and distribution use their DogStatsD types', async () => {
    const capture = createCaptureMeter({})
    capture.meter.histogram('h', 1)
    capture.meter.distribution('d', 2)
    await capture.meter.flush()
    expect(capture.lines()).toEqual(['h:1|h', 'd:2|d'])
  })

  it('sampleRate keeps a fraction of timer samples and marks them, counters stay exact', async () => {
    const capture = createCaptureMeter({ sampleRate: 0.5, maxSamplesPerSeries: 100_000 })
    for (let i = 0; i < 4000; i++) capture.meter.route('/a').record('GET', 200, 1)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests')).toBe(4000)
    const timers = capture.find('http.server.duration')
    expect(timers.every((s) => s.sampleRate === 0.5)).toBe(true)
    // Binomial(4000, 0.5): 6 standard deviations either side.
    expect(timers.length).toBeGreaterThan(2000 - 190)
    expect(timers.length).toBeLessThan(2000 + 190)
    expect(timers[0]?.line).toMatch(/\|ms\|@0\.5\|#route:/)
  })

  it('invalid values are counted as faults and never sent', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({ logger: { warn: (m) => warnings.push(m) } })
    capture.meter.timing('t', Number.NaN)
    capture.meter.timing('t', -1)
    capture.meter.gauge('g', Number.POSITIVE_INFINITY)
    await capture.meter.flush()
    expect(capture.lines()).toEqual([])
    expect(capture.meter.stats().faults['invalid-value']).toBe(3)
    expect(warnings).toHaveLength(1)
  })
})

describe('series cap', () => {
  it('request series beyond maxSeries go to one overflow route, counted', async () => {
    const capture = createCaptureMeter({ maxSeries: 10 })
    for (let i = 0; i < 1000; i++) capture.meter.route(`/r${i}`).record('GET', 200, 1)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests')).toBe(1000)
    expect(capture.counter('http.server.requests', { route: 'overflow' })).toBe(990)
    expect(capture.meter.stats().overflowed).toBe(990)
    expect(capture.meter.stats().series).toBe(11)
  })

  it('user series beyond the cap are dropped and counted, memory stays flat', async () => {
    const capture = createCaptureMeter({ maxSeries: 5, logger: { warn: () => {} } })
    for (let i = 0; i < 100; i++) capture.meter.increment('hits', { user: i })
    await capture.meter.flush()
    expect(capture.lines()).toHaveLength(5)
    expect(capture.meter.stats().overflowed).toBe(95)
    expect(capture.meter.stats().series).toBe(5)
  })

  it('route handles for arbitrary labels are bounded too', () => {
    const capture = createCaptureMeter({ maxSeries: 3 })
    const handles = new Set<unknown>()
    for (let i = 0; i < 100; i++) handles.add(capture.meter.route(`/x/${i}`))
    expect(handles.size).toBe(4)
  })
})

describe('request durations that are not finite numbers', () => {
  it('Infinity, -Infinity and NaN: the request is counted, no sample reaches the wire, the fault is counted', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({ logger: { warn: (m) => warnings.push(m) } })
    const { meter } = capture
    meter.recordRequest({ route: '/jobs', method: 'POST', statusCode: 201, durationMs: Infinity })
    meter.route('/jobs').record('POST', 201, Number.NEGATIVE_INFINITY)
    meter.route('/jobs').record('POST', 201, Number.NaN)
    meter.route('/jobs').record('POST', 201, 12.5)
    await meter.flush()
    expect(capture.counter('http.server.requests', { route: '/jobs' })).toBe(4)
    expect(capture.timings('http.server.duration')).toEqual([12.5])
    expect(capture.lines().join('\n')).not.toMatch(/Infinity|NaN/)
    expect(meter.stats().faults['invalid-value']).toBe(3)
    expect(warnings).toHaveLength(1)
  })
})

describe('sets', () => {
  it('distinct members stay distinct on the wire, whatever characters or length they have', async () => {
    const capture = createCaptureMeter()
    const long = 'x'.repeat(300)
    const members = [
      'a b',
      'a:b',
      'a|b',
      'a_b',
      'a\nb',
      'a#b',
      'a,b',
      '',
      '_',
      '%',
      '%a%0020b',
      'é',
      'e\u0301',
      '\ud800',
      long,
      `${long}y`,
      42,
      '42',
    ]
    for (const member of members) capture.meter.set('users', member)
    await capture.meter.flush()
    const sent = capture.find('users').map((s) => s.values[0] as string)
    // 42 and '42' are the same member; every other pair differs.
    expect(new Set(sent).size).toBe(members.length - 1)
    expect(sent).toHaveLength(members.length - 1)
    for (const value of sent) {
      expect(value).toMatch(/^[A-Za-z0-9_./%~-]+$/)
      expect(value.length).toBeLessThanOrEqual(200)
    }
    expect(sent).toContain('a_b')
    expect(sent).toContain('%a%0020b')
  })

  it('2 000 000 members between flushes: memory stays bounded, no flush holds more than maxSamplesPerSeries members', async () => {
    const capture = createCaptureMeter({ maxSamplesPerSeries: 1000 })
    const { meter } = capture
    let sentLines = 0
    let largestBatch = 0
    const drain = () => {
      const lines = capture.lines().length
      sentLines += lines
      largestBatch = Math.max(largestBatch, lines)
      capture.clear()
    }
    meter.set('visitors', 'warm-up')
    await meter.flush()
    drain()
    sentLines = 0
    const before = settledMemory()
    for (let i = 0; i < 2_000_000; i++) {
      meter.set('visitors', `visitor-${i}`)
      // Early flushes send a full set at once: each is one set's worth of lines.
      if (capture.payloads.length > 0) drain()
    }
    const after = settledMemory()
    await meter.flush()
    drain()
    expect(sentLines).toBe(2_000_000)
    expect(largestBatch).toBeLessThanOrEqual(1000)
    expect(after.heapUsed - before.heapUsed).toBeLessThan(10 * 1024 * 1024)
  })
})

describe('gauge deltas', () => {
  it('a delta that rounds to zero is not sent (it would reset the gauge to 0); others carry their sign', async () => {
    const capture = createCaptureMeter()
    const { meter } = capture
    meter.gauge('pool', 7)
    await meter.flush()
    for (const delta of [0.3, -0.1, -0.2]) meter.gaugeDelta('pool', delta)
    await meter.flush()
    meter.gaugeDelta('pool', -0.0004)
    await meter.flush()
    expect(capture.lines()).toEqual(['pool:7|g'])
    meter.gaugeDelta('pool', -2)
    await meter.flush()
    meter.gaugeDelta('pool', 0.5)
    await meter.flush()
    meter.gaugeDelta('pool', -0.0006)
    await meter.flush()
    expect(capture.lines()).toEqual(['pool:7|g', 'pool:-2|g', 'pool:+0.5|g', 'pool:-0.001|g'])
    expect(capture.gauge('pool')).toBeCloseTo(5.499)
  })
})
