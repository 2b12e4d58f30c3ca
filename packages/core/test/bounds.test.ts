import { settledMemory } from '@routemeter/test-support'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCaptureMeter } from '../src/testing'

describe('bounds', () => {
  it('datagrams never exceed maxBufferSize, whatever the burst, names, tags or packing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 512, max: 9000 }),
        fc.boolean(),
        fc.array(
          fc.tuple(
            fc.string({ maxLength: 300 }),
            fc.double({ min: 0, max: 1e9, noNaN: true }),
            fc.string({ maxLength: 300 }),
          ),
          {
            maxLength: 400,
          },
        ),
        async (maxBufferSize, packValues, samples) => {
          const capture = createCaptureMeter({
            maxBufferSize,
            packValues,
            logger: { warn: () => {} },
          })
          for (const [name, value, tag] of samples) {
            capture.meter.timing(name, value, { tag })
            capture.meter.route(tag).record('GET', 200, value)
          }
          await capture.meter.flush()
          for (const payload of capture.payloads)
            expect(payload.length).toBeLessThanOrEqual(maxBufferSize)
          expect(capture.timings('http.server.duration')).toHaveLength(samples.length)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('100 000 distinct route labels: series stay at the cap, the rest is counted in the overflow bucket', async () => {
    const capture = createCaptureMeter({ maxSeries: 1000, logger: { warn: () => {} } })
    const heapBefore = process.memoryUsage().heapUsed
    for (let i = 0; i < 100_000; i++) {
      capture.meter.recordRequest({
        route: `/r/${i}/${Math.random()}`,
        method: 'GET',
        statusCode: 200,
        durationMs: 1,
      })
      if (i % 10_000 === 9_999) {
        await capture.meter.flush()
        capture.clear()
      }
    }
    await capture.meter.flush()
    const stats = capture.meter.stats()
    expect(stats.series).toBeLessThanOrEqual(1001)
    expect(stats.overflowed).toBe(100_000 - 1000)
    // Bounded: 100 000 labels did not each leave a route handle or series behind.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024)
  })

  // A handler may pass any name or tag (`timer('db.query', { user: id })`): past the series cap
  // nothing may be kept per name or tag value (a `null` per refused key grew the heap by
  // ~120 MB for 400 000 values).
  it('400 000 distinct timer names and tag values past the series cap: heap growth under 10 MB after GC', async () => {
    const capture = createCaptureMeter({ maxSeries: 100, logger: { warn: () => {} } })
    const { meter } = capture
    const scope = meter.route('/users/:id').scope('GET')
    for (let i = 0; i < 200; i++) scope.timer(`fill.${i}`)()
    await meter.flush()
    capture.clear()
    const seriesAtCap = meter.stats().series
    const before = settledMemory()
    expect(before.collected).toBe(true)
    for (let i = 0; i < 400_000; i++) {
      scope.timer('db.query', { user: `u${i}` })()
      scope.time(`step.${i}`, () => i)
      meter.timing(`user.timer.${i}`, 1)
      meter.timer('job', { id: i })()
    }
    const after = settledMemory()
    await meter.flush()
    expect(meter.stats().series).toBe(seriesAtCap)
    expect(meter.stats().overflowed).toBeGreaterThanOrEqual(4 * 400_000)
    expect(after.heapUsed - before.heapUsed).toBeLessThan(10 * 1024 * 1024)
  })
})
