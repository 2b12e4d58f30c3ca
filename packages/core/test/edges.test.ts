import { describe, expect, it } from 'vitest'
import { setUpAdapter } from '../src/adapter'
import { statusClassOf } from '../src/naming/naming'
import { DatagramPacker } from '../src/outputs/statsd/datagram-packer'
import { createCaptureMeter } from '../src/testing'

// Boundaries the random-input tests reach only by chance.
describe('datagram size at the exact limit', () => {
  function pack(maxBytes: number, lines: string[]) {
    const payloads: string[] = []
    const oversize: string[] = []
    const packer = new DatagramPacker(
      maxBytes,
      (payload) => payloads.push(payload),
      (line) => oversize.push(line),
    )
    for (const line of lines) packer.line(line)
    packer.end()
    return { payloads, oversize }
  }

  it('a line of exactly maxBufferSize bytes is sent; one byte more is dropped as oversize', () => {
    const exact = `a:1|c|#t:${'x'.repeat(512 - 9)}`
    expect(exact).toHaveLength(512)
    expect(pack(512, [exact])).toEqual({ payloads: [exact], oversize: [] })
    expect(pack(512, [`${exact}y`])).toEqual({ payloads: [], oversize: [`${exact}y`] })
  })

  it('lines that fill a datagram to exactly maxBufferSize share it; one byte more starts a new one', () => {
    const first = `a:1|c|#t:${'x'.repeat(300 - 9)}`
    const second = `b:1|c|#t:${'y'.repeat(211 - 9)}`
    expect(first.length + 1 + second.length).toBe(512)
    expect(pack(512, [first, second]).payloads).toEqual([`${first}\n${second}`])
    expect(pack(512, [first, `${second}z`]).payloads).toEqual([first, `${second}z`])
  })

  it('through a meter: datagrams of exactly maxBufferSize are used, never exceeded', async () => {
    const capture = createCaptureMeter({ maxBufferSize: 512 })
    // `n:1|c|#a:<200>,b:<200>,c:<97>` is exactly 512 bytes.
    const tags = { a: 'x'.repeat(200), b: 'y'.repeat(200), c: 'z'.repeat(512 - 9 - 200 - 200 - 6) }
    capture.meter.increment('n', 1, tags)
    await capture.meter.flush()
    expect(capture.payloads.map((p) => p.length)).toEqual([512])
    capture.clear()
    capture.meter.increment('n', 1, { ...tags, c: `${tags.c}!` })
    await capture.meter.flush()
    // The `!` became `_`: still a line, but one byte too long for any datagram.
    expect(capture.payloads).toEqual([])
    expect(capture.meter.stats().droppedLines).toBe(1)
  })
})

describe('exclude, with a query string', () => {
  it('matches the path only: exact paths and RegExps ignore what follows `?`', () => {
    const { isExcluded } = setUpAdapter({
      meter: createCaptureMeter().meter,
      exclude: ['/health', /^\/internal\//],
    })
    expect(isExcluded?.('/health')).toBe(true)
    expect(isExcluded?.('/health?verbose=1')).toBe(true)
    expect(isExcluded?.('/health?')).toBe(true)
    expect(isExcluded?.('/healthz?x=/health')).toBe(false)
    expect(isExcluded?.('/internal/metrics?a=b')).toBe(true)
    expect(isExcluded?.('/api?next=/internal/x')).toBe(false)
    expect(isExcluded?.('/api/health')).toBe(false)
  })
})

describe('statusClassOf', () => {
  it.each([
    [99, 'unknown'],
    [100, '1xx'],
    [199, '1xx'],
    [200, '2xx'],
    [499, '4xx'],
    [500, '5xx'],
    [599, '5xx'],
    [600, 'unknown'],
    [0, 'unknown'],
  ])('%d → %s', (status, expected) => {
    expect(statusClassOf(status)).toBe(expected)
  })
})
