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
})
