import { performance } from 'node:perf_hooks'
import { setImmediate } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMeter, type Meter } from '../src/index'
import {
  type CaptureMeter,
  createCaptureMeter,
  type StatsdLines,
  type StatsdReceiver,
  startStatsdReceiver,
} from '../src/testing'

// The interval flush drains the series in slices with event-loop turns between them, so a
// flush of 20 000 live series does not hold requests up for its whole length. These tests prove
// it yields, and that counts stay exact whatever happens between two slices.

const STATUSES = [200, 201, 204, 301, 302, 400, 401, 403, 404, 500]

/** Records `perSeries` requests on each of `routes` × 10 statuses (GET): that many series. */
function record(meter: Meter, routes: number, perSeries: number): void {
  for (let r = 0; r < routes; r++) {
    const route = meter.route(`/s${r}/items/:id`)
    for (const status of STATUSES)
      for (let k = 0; k < perSeries; k++) route.record('GET', status, 1 + k)
  }
}

/** Request count and timer samples received per route × status, read from the lines once. */
function perSeries(lines: StatsdLines): Map<string, { count: number; samples: number }> {
  const out = new Map<string, { count: number; samples: number }>()
  for (const sample of lines.samples()) {
    if (sample.name !== 'http.server.requests' && sample.name !== 'http.server.duration') continue
    const key = `${sample.tags.route} ${sample.tags.status_code}`
    let entry = out.get(key)
    if (entry === undefined) {
      entry = { count: 0, samples: 0 }
      out.set(key, entry)
    }
    if (sample.type === 'c') entry.count += Number(sample.values[0])
    else entry.samples += sample.values.length
  }
  return out
}

function expectEverySeries(lines: StatsdLines, routes: number, requests: number): void {
  const got = perSeries(lines)
  expect(got.size).toBe(routes * STATUSES.length)
  const wrong = [...got].filter(([, v]) => v.count !== requests || v.samples !== requests)
  expect(wrong).toEqual([])
}

/**
 * Turns the event loop until the interval flush has started; resolves in the first turn that
 * sees part of it sent (more than nothing, less than `lines`), or `false` when the first turn
 * that sees anything sent already sees all of it (the flush did not yield).
 */
async function seePartialFlush(meter: Meter, lines: number): Promise<boolean> {
  for (;;) {
    await setImmediate()
    const sent = meter.stats().lines
    if (sent > 0) return sent < lines
  }
}

describe('the interval flush of 20 000 live series', () => {
  let capture: CaptureMeter | undefined
  afterEach(() => capture?.meter.close())

  it('gives the event loop turns while it runs, and each series goes out once', async () => {
    // 2 000 routes × 10 statuses: 20 000 series, the default cap, 3 samples each.
    capture = createCaptureMeter({ flushIntervalMs: 50 })
    record(capture.meter, 2000, 3)
    expect(capture.meter.stats().series).toBe(20_000)
    expect(await seePartialFlush(capture.meter, 80_000)).toBe(true)
    while (capture.meter.stats().lines < 80_000) await setImmediate()
    expect(capture.meter.stats().lines).toBe(80_000)
    expectEverySeries(capture, 2000, 3)
  })

  it('requests recorded between two slices are sent once, by this flush or the next', async () => {
    capture = createCaptureMeter({ flushIntervalMs: 50 })
    record(capture.meter, 2000, 3)
    expect(await seePartialFlush(capture.meter, 80_000)).toBe(true)
    // Some series are drained already, others not yet: one more request on every one.
    record(capture.meter, 2000, 1)
    await capture.meter.flush()
    expectEverySeries(capture, 2000, 4)
  })

  for (const how of ['close', 'flush'] as const) {
    it(`${how}() called mid-flush has sent everything when it resolves, and nothing follows twice`, async () => {
      capture = createCaptureMeter({ flushIntervalMs: 50 })
      record(capture.meter, 2000, 3)
      expect(await seePartialFlush(capture.meter, 80_000)).toBe(true)
      await capture.meter[how]()
      expect(capture.meter.stats().lines).toBe(80_000)
      expectEverySeries(capture, 2000, 3)
      // The cancelled slices must not run later (and send nothing twice) either.
      const payloads = capture.payloads.length
      for (let i = 0; i < 50; i++) await setImmediate()
      if (how === 'close') expect(capture.payloads.length).toBe(payloads)
      expectEverySeries(capture, 2000, 3)
    })
  }
})

describe('every slice boundary of the interval flush', () => {
  let capture: CaptureMeter | undefined
  afterEach(async () => {
    vi.restoreAllMocks()
    await capture?.meter.close()
  })

  // The clock decides where a slice ends. Stepped by hand, it puts a boundary after every
  // series (5 ms a read, the slice being 1 ms), after every second (0.5 ms) or third (0.4 ms):
  // whatever series a slice ends on, the next one starts right after it.
  for (const [step, perSlice] of [
    [5, 1],
    [0.5, 2],
    [0.4, 3],
  ] as const) {
    it(`slices of ${perSlice} series: each of 300 series goes out once, with all its samples`, async () => {
      capture = createCaptureMeter({ flushIntervalMs: 20 })
      record(capture.meter, 30, 2)
      let now = performance.now()
      vi.spyOn(performance, 'now').mockImplementation(() => {
        now += step
        return now
      })
      // Bounded by the wall clock, not by a count: 10 000 idle event-loop turns can take less
      // than the 20 ms interval. Turns are counted from the flush's first slice.
      const deadline = Date.now() + 10_000
      let turns = 0
      while (capture.meter.stats().lines < 900 && Date.now() < deadline) {
        await setImmediate()
        if (capture.meter.stats().lines > 0) turns++
      }
      expect(capture.meter.stats().lines).toBe(900)
      expectEverySeries(capture, 30, 2)
      // The flush really was cut that fine: about one event-loop turn per slice (270 of 300 at
      // one series a slice), where a flush in one go would take one.
      expect(turns).toBeGreaterThanOrEqual(Math.floor((0.8 * 300) / perSlice))
    })
  }
})

describe('the sliced interval flush over UDP', () => {
  let receiver: StatsdReceiver | undefined
  let meter: Meter | undefined
  afterEach(async () => {
    await meter?.close()
    await receiver?.close()
  })

  // 4 000 series × 2 samples: 12 000 lines in some 800 datagrams, which the receiver's 4 MB
  // buffer holds even if it read nothing until the flush ends, so loopback loses none.
  it('every line reaches a real receiver exactly once, with close() racing the interval flush', async () => {
    receiver = await startStatsdReceiver()
    meter = createMeter({ port: receiver.port, flushIntervalMs: 50 })
    record(meter, 400, 2)
    // The receiver reads between slices: close() as soon as the first datagram arrives.
    await receiver.waitFor((r) => r.packets.length > 0)
    await meter.close()
    const sent = meter.stats()
    expect(sent.lines).toBe(12_000)
    expect(sent.droppedLines).toBe(0)
    await receiver.waitForLines(12_000)
    expect(receiver.lines()).toHaveLength(12_000)
    expect(receiver.packets).toHaveLength(sent.datagrams)
    expectEverySeries(receiver, 400, 2)
  })
})
