import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SampleSeries } from '../src/aggregation/series'
import { createMeter, type Meter } from '../src/index'
import { DatagramPacker } from '../src/outputs/statsd/datagram-packer'
import { weightedRate } from '../src/outputs/statsd/wire-format'
import { parseStatsdLine, type StatsdDaemon, startStatsdDaemon } from '../src/testing'

/** A timer series with the reservoir, drained into lines the way the meter drains it. */
function reservoirLines(
  offered: number,
  size: number,
  options: { sampleRate?: number; pack?: boolean } = {},
) {
  const sampleRate = options.sampleRate ?? 1
  const series = new SampleSeries(
    { head: 't', tail: '' },
    'ms',
    sampleRate,
    sampleRate < 1 ? `|@${sampleRate}` : '',
    options.pack ?? false,
  )
  for (let i = 0; i < offered; i++) series.offer(i, size)
  const lines: string[] = []
  const packer = new DatagramPacker(
    1432,
    (payload) => lines.push(...payload.split('\n')),
    () => {
      throw new Error('oversize line')
    },
  )
  series.drain(packer)
  packer.end()
  return lines.map(parseStatsdLine)
}

/**
 * Drains `series` into its mirror (the Prometheus side) with no StatsD lines, as a
 * Prometheus-only meter does, calling `visit` with each kept value and its weight.
 */
function drainToMirror(series: SampleSeries, visit: (value: number, weight: number) => void): void {
  series.mirror = { add: () => {}, set: () => {}, observe: visit }
  const silent = new DatagramPacker(
    1432,
    () => expect.fail('no line when nothing is pushed'),
    () => {},
    false,
  )
  series.drain(silent)
}

/** statsd_exporter: each value of a line is observed int(1 / rate) times. */
function exporterCount(samples: ReadonlyArray<{ sampleRate: number; values: readonly string[] }>) {
  let total = 0
  for (const sample of samples) total += sample.values.length * Math.trunc(1 / sample.sampleRate)
  return total
}

/** Etsy statsd: every value adds 1 / rate (a double) to the timer's count. */
function etsyCount(samples: ReadonlyArray<{ sampleRate: number; values: readonly string[] }>) {
  let total = 0
  for (const sample of samples) for (const _ of sample.values) total += 1 / sample.sampleRate
  return total
}

describe('reservoir weights: every kept sample carries a rate both backends count exactly', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('any offered count and bound: statsd_exporter counts exactly the values offered, Etsy statsd within float rounding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.boolean(),
        (size, offered, pack) => {
          const samples = reservoirLines(offered, size, { pack })
          const kept = samples.reduce((n, s) => n + s.values.length, 0)
          expect(kept).toBe(Math.min(offered, size))
          expect(exporterCount(samples)).toBe(offered)
          const etsy = etsyCount(samples)
          expect(Math.round(etsy)).toBe(offered)
          expect(Math.abs(etsy - offered)).toBeLessThan(offered * 1e-12)
          // Two weights at most, one apart: floor(offered / kept) and the one above it.
          const weights = new Set(samples.map((s) => Math.trunc(1 / s.sampleRate)))
          const q = Math.floor(offered / kept)
          for (const weight of weights) expect([q, q + 1]).toContain(weight)
          // Below the bound nothing is weighted: no rate field at all.
          if (offered <= size) expect(samples.every((s) => !s.line.includes('|@'))).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('every weight from 1 to 300 000: the rate parses back to an inverse ≥ the weight and below the next one, written without an exponent', () => {
    const plainDecimal = /^[01]\.?\d*$/
    for (let weight = 1; weight <= 300_000; weight++) {
      const text = weightedRate(weight, 1)
      const inverse = 1 / Number(text)
      if (!plainDecimal.test(text) || inverse < weight || inverse >= weight + 1)
        expect.fail(`weight ${weight}: @${text} reads back as ${inverse}`)
    }
    // Rounded formatting would fail here: 1/6 written as 0.1666667 reads back as 5.99…
    expect(Math.trunc(1 / Number(weightedRate(6, 1)))).toBe(6)
    // Far beyond the Etsy parser's reach for exponents (1e-7 would read as rate 1).
    expect(weightedRate(12_345_678, 1)).toMatch(/^0\.0000000\d+$/)
  })

  it('with sampleRate 0.5 and 0.25 each line still stands for its weight / sampleRate, also for statsd_exporter', () => {
    for (const sampleRate of [0.5, 0.25]) {
      for (const [offered, size] of [
        [837, 100],
        [37, 20],
        [10_001, 7],
      ] as const) {
        const samples = reservoirLines(offered, size, { sampleRate })
        expect(exporterCount(samples)).toBe(offered / sampleRate)
        expect(Math.round(etsyCount(samples))).toBe(offered / sampleRate)
      }
    }
  })

  it('the mirror gets every kept value with its integer weight; the weights sum to the values offered', () => {
    const series = new SampleSeries({ head: 't', tail: '' }, 'ms', 1, '', false)
    for (let i = 0; i < 837; i++) series.offer(i, 100)
    const pairs: Array<[number, number]> = []
    drainToMirror(series, (value, weight) => pairs.push([value, weight]))
    expect(pairs).toHaveLength(100)
    expect(pairs.reduce((sum, [, weight]) => sum + weight, 0)).toBe(837)
    // 837 = 8 × 100 + 37: 37 samples weigh 9, 63 weigh 8.
    expect(pairs.filter(([, weight]) => weight === 9)).toHaveLength(37)
    expect(pairs.filter(([, weight]) => weight === 8)).toHaveLength(63)
    expect(new Set(pairs.map(([value]) => value)).size).toBe(100)
    // Drained: the next interval starts empty, and below the bound every weight is 1.
    drainToMirror(series, () => expect.fail('nothing pending'))
    for (let i = 0; i < 3; i++) series.offer(i, 100)
    const next: number[] = []
    drainToMirror(series, (_, weight) => next.push(weight))
    expect(next).toEqual([1, 1, 1])
  })

  it('which samples weigh more is drawn at random: every slot of the reservoir is equally likely to', () => {
    // 6 values into 4 slots: 2 samples weigh 2, 2 weigh 1. Over 4 000 intervals each slot is
    // the heavier about 2 000 times (binomial, σ ≈ 32); always the first slots would be 4 000.
    const series = new SampleSeries({ head: 't', tail: '' }, 'ms', 1, '', false)
    const heavier = [0, 0, 0, 0]
    for (let round = 0; round < 4_000; round++) {
      for (let i = 0; i < 6; i++) series.offer(i, 4)
      let slot = 0
      drainToMirror(series, (_, weight) => {
        if (weight === 2) heavier[slot] = (heavier[slot] ?? 0) + 1
        slot++
      })
    }
    for (const count of heavier) {
      expect(count).toBeGreaterThan(1_700)
      expect(count).toBeLessThan(2_300)
    }
  })
})

describe('the reservoir keeps exactly maxSamplesPerFlush samples, whatever the draws', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  /** Offers 0 … offered − 1 with every random draw pinned to `draw`; returns the kept values. */
  function keptWith(draw: number, offered: number, size: number): number[] {
    vi.spyOn(Math, 'random').mockReturnValue(draw)
    const series = new SampleSeries({ head: 't', tail: '' }, 'ms', 1, '', false)
    for (let i = 0; i < offered; i++) series.offer(i, size)
    const kept: number[] = []
    drainToMirror(series, (value) => kept.push(value))
    return kept
  }

  it('the highest draw lands one past the last slot: the value is dropped, the reservoir stays at its bound', () => {
    // floor(0.9999999 × offered) = offered − 1 ≥ size: never a slot.
    expect(keptWith(0.9999999, 8, 3)).toEqual([0, 1, 2])
    expect(keptWith(0.9999999, 4, 3)).toEqual([0, 1, 2])
  })

  it('the lowest draw replaces the first slot each time: the last value offered is kept, still exactly the bound', () => {
    expect(keptWith(0, 8, 3)).toEqual([7, 1, 2])
    expect(keptWith(0, 3, 3)).toEqual([0, 1, 2])
    expect(keptWith(0, 2, 3)).toEqual([0, 1])
  })

  it('the draw just below the bound replaces the last slot', () => {
    // offered 4, size 3: floor(0.7 × 4) = 2, the last slot.
    expect(keptWith(0.7, 4, 3)).toEqual([0, 1, 3])
  })
})

describe('reservoir weights against the real Etsy statsd daemon', () => {
  let daemon: StatsdDaemon | undefined
  let meter: Meter | undefined
  const dump = path.join(tmpdir(), `routemeter-timer-counters-${process.pid}.jsonl`)
  const backend = path.join(tmpdir(), `routemeter-timer-counters-${process.pid}.cjs`)
  afterEach(async () => {
    await meter?.close()
    await daemon?.close()
    meter = daemon = undefined
    rmSync(dump, { force: true })
    rmSync(backend, { force: true })
  })

  it('837 requests kept as 100 samples: the daemon counts 837 for the timer, within float rounding', async () => {
    // A backend the daemon loads: on each flush it appends the timer counts it computed
    // (timer_counters: the sum of 1 / rate over the lines it parsed) and its bad-line count.
    // The daemon resets both at every flush, so the test adds them up over the flushes.
    writeFileSync(
      backend,
      `const fs = require('node:fs')
exports.init = (startup, config, events) => {
  events.on('flush', (time, metrics) => {
    const counts = { ...metrics.timer_counters, bad: metrics.counters['statsd.bad_lines_seen'] }
    fs.appendFileSync(${JSON.stringify(dump)}, JSON.stringify(counts) + '\\n')
  })
  return true
}
`,
    )
    daemon = await startStatsdDaemon({ config: { backends: [backend], flushInterval: 200 } })
    meter = createMeter({ port: daemon.port, flushIntervalMs: 3_600_000, maxSamplesPerFlush: 100 })
    const route = meter.route('/hot')
    for (let i = 0; i < 837; i++) route.record('GET', 200, i % 53)
    await meter.close()
    const timer = (totals: Record<string, number>) =>
      Object.entries(totals).find(([key]) => key.startsWith('http.server.duration'))?.[1] ?? 0
    const totals = await waitForTimerCounts(dump, (t) => timer(t) > 836)
    expect(totals.bad ?? 0).toBe(0)
    const count = timer(totals)
    expect(Math.round(count)).toBe(837)
    expect(Math.abs(count - 837)).toBeLessThan(1e-9)
    // Exactly one timer: the 100 lines at two rates are one series to the daemon.
    expect(Object.keys(totals).filter((key) => key !== 'bad')).toHaveLength(1)
  })
})

/** Sums the dumped timer counts over flushes until `done` holds for the total. */
async function waitForTimerCounts(
  file: string,
  done: (totals: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const totals: Record<string, number> = {}
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {}
    for (const line of text.split('\n').filter(Boolean)) {
      for (const [key, value] of Object.entries(JSON.parse(line) as Record<string, number>)) {
        if (value !== 0) totals[key] = (totals[key] ?? 0) + value
      }
    }
    if (done(totals)) return totals
    if (Date.now() > deadline) throw new Error(`no timer counts in ${file}: ${text}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
