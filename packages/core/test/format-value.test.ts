import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatValue } from '../src/wire-format'

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
