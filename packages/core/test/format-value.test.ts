import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { sanitizeTagKey } from '../src/config/sanitize'
import { formatSampleRate, formatValue } from '../src/outputs/statsd/wire-format'
import { createCaptureMeter } from '../src/testing'

describe('sample values on the wire', () => {
  it.each([
    [0, '0'],
    [12, '12'],
    [1.5, '1.5'],
    [0.25, '0.25'],
    [2.0004, '2'],
    [2.0005, '2.001'],
    [0.0004, '0'],
    [-3.75, '-3.75'],
    [-0.0001, '0'],
    [123456.789123, '123456.789'],
    [1e15 + 0.5, String(Math.round((1e15 + 0.5) * 1000) / 1000)],
  ])('%d → %s', (value, expected) => {
    expect(formatValue(value)).toBe(expected)
  })

  it('reads back within half a thousandth of the value, for any finite number', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
        (value) => {
          const text = formatValue(value)
          expect(text).toMatch(/^-?\d+(\.\d{1,3})?$/)
          expect(Math.abs(Number(text) - value)).toBeLessThanOrEqual(
            0.0005 + Math.abs(value) * 1e-15,
          )
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('sample rates on the wire are plain decimals (Etsy reads `|@1e-7` as rate 1)', () => {
  it.each([
    [0.5, '0.5'],
    [0.1, '0.1'],
    [0.000001, '0.000001'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [2.5e-10, '0.00000000025'],
  ])('%d → %s', (rate, expected) => {
    expect(formatSampleRate(rate)).toBe(expected)
    expect(Number(expected)).toBe(rate)
  })

  it('a meter with sampleRate 1e-7 writes |@0.0000001', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0)
    try {
      const capture = createCaptureMeter({ sampleRate: 1e-7 })
      capture.meter.timing('rare', 3)
      await capture.meter.flush()
      expect(capture.lines()).toEqual(['rare:3|ms|@0.0000001'])
    } finally {
      random.mockRestore()
    }
  })
})

describe('tag keys', () => {
  it('the 64-character limit holds on the wire, also when lower-casing lengthens the key', async () => {
    expect(sanitizeTagKey('İ'.repeat(64))).toHaveLength(64)
    expect(sanitizeTagKey('A'.repeat(100))).toBe('a'.repeat(64))
    const capture = createCaptureMeter()
    capture.meter.increment('k', 1, { ['İ'.repeat(64)]: 'v' })
    await capture.meter.flush()
    const keys = Object.keys(capture.find('k')[0]?.tags ?? {})
    expect(keys).toHaveLength(1)
    expect(keys[0]).toHaveLength(64)
  })
})
