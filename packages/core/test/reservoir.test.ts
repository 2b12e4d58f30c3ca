import { afterEach, describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/config/options'
import { createMeter, type Meter, RoutemeterOptionError } from '../src/index'
import {
  type StatsdDaemon,
  type StatsdReceiver,
  startStatsdDaemon,
  startStatsdReceiver,
} from '../src/testing'

const HOUR = 3_600_000
let receiver: StatsdReceiver | undefined
let daemon: StatsdDaemon | undefined
let meter: Meter | undefined
afterEach(async () => {
  await meter?.close()
  await receiver?.close()
  await daemon?.close()
  meter = receiver = daemon = undefined
})

/** What a StatsD backend counts for a timer: every line weighs 1 / its sample rate. */
function weightedCount(samples: ReadonlyArray<{ sampleRate: number; values: readonly string[] }>) {
  let total = 0
  for (const sample of samples) total += sample.values.length / sample.sampleRate
  return total
}

describe('maxSamplesPerFlush: an opt-in reservoir per timer series and flush', () => {
  it('12 345 requests on one route: 100 samples sent, at rates that count 12 345; the counter stays exact', async () => {
    receiver = await startStatsdReceiver()
    meter = createMeter({ port: receiver.port, flushIntervalMs: HOUR, maxSamplesPerFlush: 100 })
    const route = meter.route('/users/:id')
    for (let i = 0; i < 12_345; i++) route.record('GET', 200, i)
    await meter.flush()
    const r = receiver
    await r.waitFor((x) => x.timings('http.server.duration').length === 100)
    const timers = r.samples().filter((s) => s.name === 'http.server.duration')
    expect(timers).toHaveLength(100)
    // 12 345 = 123 × 100 + 45: 45 samples stand for 124 values each, 55 for 123.
    const rates = timers.map((s) => s.line.match(/\|@([\d.]+)/)?.[1])
    expect(rates.filter((rate) => rate === '0.008064516129032258')).toHaveLength(45)
    // Not 1 / 123 (0.008130081300813009): parsed and inverted that is 122.99999999999999, which
    // statsd_exporter truncates to 122. One double lower reads back as 123.00000000000001.
    expect(rates.filter((rate) => rate === '0.008130081300813007')).toHaveLength(55)
    expect(weightedCount(timers)).toBeCloseTo(12_345, 6)
    expect(r.counter('http.server.requests')).toBe(12_345)
    // Uniform: the kept values are spread over the whole range, not its first or last 100.
    const values = r.timings('http.server.duration')
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length
    expect(mean).toBeGreaterThan(12_345 * 0.3)
    expect(mean).toBeLessThan(12_345 * 0.7)
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(12_345 / 2)
  })

  it('a series below the bound sends every sample, without a rate; the next flush starts over', async () => {
    receiver = await startStatsdReceiver()
    meter = createMeter({ port: receiver.port, flushIntervalMs: HOUR, maxSamplesPerFlush: 100 })
    const route = meter.route('/orders')
    for (let i = 0; i < 60; i++) route.record('POST', 201, i)
    await meter.flush()
    for (let i = 0; i < 300; i++) route.record('POST', 201, i)
    await meter.flush()
    const r = receiver
    await r.waitFor((x) => x.timings('http.server.duration').length === 160)
    const timers = r.samples().filter((s) => s.name === 'http.server.duration')
    expect(timers.slice(0, 60).every((s) => s.sampleRate === 1 && !s.line.includes('|@'))).toBe(
      true,
    )
    // The second flush's 300 values: a fresh reservoir, 100 kept, each weighing 3.
    expect(timers.slice(60)).toHaveLength(100)
    expect(timers.slice(60).every((s) => s.line.includes('|@0.3333333333333333'))).toBe(true)
    expect(weightedCount(timers)).toBeCloseTo(360, 6)
  })

  it('with sampleRate: the two rates multiply, so the backend still estimates every request', async () => {
    receiver = await startStatsdReceiver()
    meter = createMeter({
      port: receiver.port,
      flushIntervalMs: HOUR,
      maxSamplesPerFlush: 50,
      sampleRate: 0.5,
    })
    const route = meter.route('/search')
    for (let i = 0; i < 20_000; i++) route.record('GET', 200, 1)
    await meter.flush()
    const r = receiver
    await r.waitFor((x) => x.timings('http.server.duration').length === 50)
    const timers = r.samples().filter((s) => s.name === 'http.server.duration')
    // About 10 000 reach the reservoir (sampleRate 0.5); 50 of them are sent at 0.5 × 50 / kept.
    expect(weightedCount(timers)).toBeGreaterThan(18_000)
    expect(weightedCount(timers)).toBeLessThan(22_000)
    expect(r.counter('http.server.requests')).toBe(20_000)
  })

  it('the real statsd daemon parses every line and holds only the kept samples', async () => {
    daemon = await startStatsdDaemon()
    meter = createMeter({ port: daemon.port, flushIntervalMs: HOUR, maxSamplesPerFlush: 20 })
    const route = meter.route('/hot')
    for (let i = 0; i < 5_000; i++) route.record('GET', 200, i % 97)
    await meter.close()
    const d = daemon
    const counters = await d.waitForCounters((c) => (c['statsd.metrics_received'] ?? 0) >= 21)
    expect(counters['statsd.bad_lines_seen'] ?? 0).toBe(0)
    const timers = await d.timers()
    const key = Object.keys(timers).find((name) => name.startsWith('http.server.duration'))
    expect(key).toBeDefined()
    expect(timers[key as string]).toHaveLength(20)
    const counter = Object.keys(counters).find((name) => name.startsWith('http.server.requests'))
    expect(counters[counter as string]).toBe(5_000)
  })

  it('is validated: an integer from 0 (off, the default) to 1 000 000, also from STATSD_MAX_SAMPLES_PER_FLUSH', () => {
    expect(resolveOptions({}, {}).maxSamplesPerFlush).toBe(0)
    expect(resolveOptions({}, { STATSD_MAX_SAMPLES_PER_FLUSH: '250' }).maxSamplesPerFlush).toBe(250)
    for (const bad of [-1, 1.5, 2_000_000, '10']) {
      expect(() => resolveOptions({ maxSamplesPerFlush: bad as number }, {})).toThrow(
        RoutemeterOptionError,
      )
    }
    expect(() => resolveOptions({ maxSamplesPerFlush: -1 }, {})).toThrow(/maxSamplesPerFlush/)
    // OpenTelemetry naming counts requests by their durations: every one is sent.
    expect(() => resolveOptions({ maxSamplesPerFlush: 100, naming: 'otel' }, {})).toThrow(
      /maxSamplesPerFlush.*0 with naming "otel"/,
    )
  })
})
