// Core micro-benchmark: nanoseconds per recorded request on routemeter's hot path, against
// calling hot-shots increment + timing directly, in the same process and run.
// Usage: node bench/record-path.mjs [--json]   (run `pnpm build` first)
import dgram from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { createMeter } from '@routemeter/core'
import { StatsD } from 'hot-shots'

const N = 2_000_000
const ROUNDS = 5
const ROUTES = Array.from({ length: 10 }, (_, i) => `/route/${i}/:id`)
const STATUSES = [200, 201, 404, 500]

const sink = dgram.createSocket('udp4')
sink.on('message', () => {})
await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve))
const port = sink.address().port

function drain() {
  return new Promise((resolve) => setTimeout(resolve, 50))
}

async function measure(name, n, body, cleanup = () => {}) {
  body(Math.min(n, 50_000)) // warm-up
  cleanup()
  await drain()
  const samples = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now()
    body(n)
    samples.push(((performance.now() - start) * 1e6) / n)
    cleanup()
    await drain()
  }
  samples.sort((a, b) => a - b)
  return {
    name,
    nsPerRequest: samples[Math.floor(samples.length / 2)],
    min: samples[0],
    max: samples.at(-1),
  }
}

// Hot path alone: no flush inside the measured loop (interval and sample bound out of reach).
const meter = createMeter({ port, flushIntervalMs: 3_600_000, maxSamplesPerSeries: 1_000_000 })
const handles = ROUTES.map((route) => meter.route(route))
// Everything a request costs in the end: recording plus its share of formatting and sending.
const flushing = createMeter({ port, flushIntervalMs: 3_600_000 })
const flushingHandles = ROUTES.map((route) => flushing.route(route))
const buffered = new StatsD({
  host: '127.0.0.1',
  port,
  maxBufferSize: 1432,
  bufferFlushInterval: 1000,
})
const unbuffered = new StatsD({ host: '127.0.0.1', port })

const results = []
results.push(
  await measure(
    'routemeter route.record (adapter hot path)',
    N,
    (n) => {
      for (let i = 0; i < n; i++) handles[i % 10].record('GET', STATUSES[i & 3], 1.5)
    },
    // Sends what was recorded outside the timed loop: keeps memory flat between rounds.
    () => meter.flushPending(),
  ),
)
results.push(
  await measure(
    'routemeter recordRequest({ route, ... })',
    N,
    (n) => {
      for (let i = 0; i < n; i++) {
        meter.recordRequest({
          route: ROUTES[i % 10],
          method: 'GET',
          statusCode: STATUSES[i & 3],
          durationMs: 1.5,
        })
      }
    },
    () => meter.flushPending(),
  ),
)
results.push(
  await measure('routemeter record + flush (formatting and UDP sends amortised)', N / 4, (n) => {
    for (let i = 0; i < n; i++) flushingHandles[i % 10].record('GET', STATUSES[i & 3], 1.5)
    flushing.flushPending()
  }),
)
const tags = ROUTES.map((route) =>
  STATUSES.map((status) => ({ route, method: 'GET', status_code: String(status) })),
)
results.push(
  await measure('hot-shots increment+timing (maxBufferSize 1432)', N / 20, (n) => {
    for (let i = 0; i < n; i++) {
      const t = tags[i % 10][i & 3]
      buffered.increment('http.server.requests', 1, t)
      buffered.timing('http.server.duration', 1.5, t)
    }
  }),
)
results.push(
  await measure('hot-shots increment+timing (unbuffered)', N / 100, (n) => {
    for (let i = 0; i < n; i++) {
      const t = tags[i % 10][i & 3]
      unbuffered.increment('http.server.requests', 1, t)
      unbuffered.timing('http.server.duration', 1.5, t)
    }
  }),
)

await meter.close()
await flushing.close()
await new Promise((resolve) => buffered.close(resolve))
await new Promise((resolve) => unbuffered.close(resolve))
sink.close()

const ours = results[0].nsPerRequest
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results))
} else {
  console.log(`record path, median of ${ROUNDS} rounds (Node ${process.version})`)
  console.log('| path | ns/request (median) | min–max | × routemeter |')
  console.log('|---|---:|---:|---:|')
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.nsPerRequest.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${(r.nsPerRequest / ours).toFixed(1)}× |`,
    )
  }
}
