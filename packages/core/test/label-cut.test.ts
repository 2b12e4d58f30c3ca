import { settledMemory } from '@routemeter/test-support'
import { describe, expect, it } from 'vitest'
import { MAX_TAG_VALUE_LENGTH } from '../src/config/sanitize'
import { createCaptureMeter } from '../src/testing'

interface FakeRequest {
  readonly tenant: string
}

const tenant = (request: FakeRequest) => request.tenant

function end(capture: ReturnType<typeof createCaptureMeter>, request: FakeRequest) {
  const meter = capture.meter
  meter.requestEnded(meter.route('/a'), 'GET', 200, meter.requestStarted(), undefined, request)
}

/** `length` letters, distinct per `seed` within the first characters. */
function letters(seed: number, length: number): string {
  const head = seed.toString(36).padStart(4, 'a')
  return (head + 'x'.repeat(length)).slice(0, length)
}

describe('request labels: a value is cut to the longest tag value', () => {
  it('is 200 characters: longer values are sent cut to it, values up to it whole', async () => {
    expect(MAX_TAG_VALUE_LENGTH).toBe(200)
    const capture = createCaptureMeter({ labels: { tenant } })
    const long = `${letters(1, 200)}TAIL`
    for (const value of [letters(2, 199), letters(3, 200), long]) end(capture, { tenant: value })
    await capture.meter.flush()
    const sent = capture.samples().filter((s) => s.name === 'http.server.requests')
    expect(sent.map((s) => s.tags.tenant).sort()).toEqual(
      [letters(2, 199), letters(3, 200), letters(1, 200)].sort(),
    )
  })

  it('two values equal in their first 200 characters are one series and one label value', async () => {
    const capture = createCaptureMeter({
      labels: { tenant },
      maxLabelValues: 1,
      logger: { warn() {} },
    })
    const prefix = letters(7, 200)
    end(capture, { tenant: `${prefix}-first` })
    end(capture, { tenant: `${prefix}-second` })
    end(capture, { tenant: prefix })
    await capture.meter.flush()
    const sent = capture.samples().filter((s) => s.name === 'http.server.requests')
    expect(sent).toHaveLength(1)
    expect(sent[0]?.tags.tenant).toBe(prefix)
    expect(capture.counter('http.server.requests', { tenant: prefix })).toBe(3)
    // Not a second value against maxLabelValues 1: nothing went to `_other`.
    expect(capture.meter.stats().overflowed).toBe(0)
    // The one request series and the active-requests gauge.
    expect(capture.meter.stats().series).toBe(2)
  })

  it('keeps none of the original string: 100 distinct 1 MB values hold kilobytes, not 100 MB', async () => {
    const capture = createCaptureMeter({ labels: { tenant }, maxLabelValues: 1000 })
    end(capture, { tenant: 'warm-up' })
    await capture.meter.flush()
    capture.clear()
    const before = settledMemory()
    for (let i = 0; i < 100; i++) {
      // Built fresh each time (not one shared string), as values read from requests are.
      end(capture, { tenant: letters(i, 4) + 'y'.repeat(1_000_000) + String(i) })
    }
    await capture.meter.flush()
    capture.clear()
    const after = settledMemory()
    expect(capture.meter.stats().series).toBe(102)
    expect(before.collected).toBe(true)
    // 100 values of 200 characters and their series: well under 2 MB. Kept whole: 100 MB.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(2_000_000)
  })
})
