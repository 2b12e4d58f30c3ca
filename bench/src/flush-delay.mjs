// How long a flush of 20 000 live series holds the event loop: one meter at its default series
// cap, 2 000 routes × 10 statuses, 3 timer samples each (80 000 lines, some 5 000 datagrams per
// flush), sent to the bench's UDP sink. `monitorEventLoopDelay` (1 ms resolution) records the
// largest delay while one flush runs, for the interval flush (drained in slices) and for
// `flush()` (drained in one go, as close() and the exit flush do), next to an idle window of
// the same process: the machine's own noise floor.
//
// Run alone: node bench/src/flush-delay.mjs [--quick] [--port <statsd port>]
// (without --port an in-process UDP socket on 127.0.0.1 receives and discards.)
import dgram from 'node:dgram'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { announceReady, serve } from './lib/ipc.mjs'

const ROUTES = 2000
const STATUSES = [200, 201, 204, 301, 302, 400, 401, 403, 404, 500]
const SAMPLES = 3
const LINES = ROUTES * STATUSES.length * (1 + SAMPLES)
const INTERVAL_MS = 1000

/** One more round of requests on every series, as a busy app records them between flushes. */
function record(meter) {
  for (let r = 0; r < ROUTES; r++) {
    const route = meter.route(`/s${r}/items/:id`)
    for (const status of STATUSES)
      for (let k = 0; k < SAMPLES; k++) route.record('GET', status, 1 + k * 0.37)
  }
}

/**
 * Runs `during` with an event-loop delay histogram on. `during` resolves with the flush's own
 * wall and CPU time, or with nothing: then those of the whole window are taken.
 */
async function observe(during) {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  const window = startClocks()
  histogram.enable()
  const flush = (await during()) ?? window()
  histogram.disable()
  return { maxDelayMs: histogram.max / 1e6, ...flush }
}

/** Starts a wall and a CPU clock; the returned function reads both, in ms. */
function startClocks() {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  return () => {
    const cpu = process.cpuUsage(cpu0)
    return { flushMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }
  }
}

/**
 * Waits for the next flush to send `target` lines in all; returns its wall and CPU time, from
 * the first turn that sees it started (its first slice, ~1 ms, has run by then) to its end.
 */
async function nextFlush(meter, target) {
  const flushes = meter.stats().flushes
  while (meter.stats().flushes === flushes) await sleep(1)
  const clocks = startClocks()
  while (meter.stats().lines < target) await sleep(1)
  return clocks()
}

async function run({ port, quick }) {
  const { createMeter } = await import('@routemeter/core')
  const flushes = quick ? 5 : 10
  let sink
  if (port === undefined) {
    sink = dgram.createSocket('udp4')
    sink.on('message', () => {})
    await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve))
    port = sink.address().port
  }
  const meter = createMeter({
    host: '127.0.0.1',
    port,
    protocol: 'udp',
    flushIntervalMs: INTERVAL_MS,
  })
  const results = { sliced: [], oneGo: [], idle: [] }
  try {
    // Warm-up: JIT the record, drain and send paths once each way.
    record(meter)
    await meter.flush()
    for (let i = 0; i < flushes; i++) {
      // Interval flush: filled right after one interval flush (which sends nothing), observed
      // from then until the next one has sent everything.
      await nextFlush(meter, meter.stats().lines)
      record(meter)
      const target = meter.stats().lines + LINES
      results.sliced.push(await observe(() => nextFlush(meter, target)))
      // flush(): the same amount drained in one go.
      record(meter)
      results.oneGo.push(
        await observe(async () => {
          // The histogram's first tick only sets its baseline: let it tick before blocking.
          await sleep(20)
          const clocks = startClocks()
          await meter.flush()
          return clocks()
        }),
      )
      // Idle: the same process, nothing to send, over as long a window as the interval flush's
      // (which opens about one interval before that flush ends).
      results.idle.push(await observe(() => sleep(INTERVAL_MS)))
    }
    const stats = meter.stats()
    return {
      series: stats.series,
      linesPerFlush: LINES,
      datagramsPerFlush: stats.datagrams / (2 * flushes + 1),
      droppedLines: stats.droppedLines,
      ...results,
    }
  } finally {
    await meter.close()
    sink?.close()
  }
}

if (process.send) {
  serve({ run })
  announceReady()
} else {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, port: { type: 'string' } },
  })
  const out = await run({
    port: values.port === undefined ? undefined : Number(values.port),
    quick: values.quick,
  })
  for (const key of ['sliced', 'oneGo', 'idle']) {
    const max = out[key].map((r) => r.maxDelayMs.toFixed(1)).join(' ')
    console.log(`${key}: max event-loop delay per flush (ms): ${max}`)
  }
  console.log(`${out.series} series, ${out.linesPerFlush} lines per flush`)
}
