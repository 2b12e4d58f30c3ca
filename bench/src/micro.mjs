// Micro-benchmark of the record path, in one process: what recording one finished request
// costs in @routemeter/core, next to hot-shots increment + timing called directly (buffered
// and unbuffered) and a bare Map lookup + array push. Costs are CPU time of this process
// (user + system, so socket sends count) divided by the operations, including the final
// flush/drain that gets everything onto the wire; the synchronous loop time is shown too.
//
// Run alone: node bench/src/micro.mjs [--quick] [--port <statsd port>]
// (without --port an in-process UDP socket on 127.0.0.1 receives and discards.)
import dgram from 'node:dgram'
import { parseArgs } from 'node:util'
import { announceReady, serve } from './lib/ipc.mjs'

const ROUTE = '/users/:id'

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function shuffle(xs) {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

async function measure(op, n) {
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) op.run(i)
  const t1 = process.hrtime.bigint()
  await op.drain()
  const cpu = process.cpuUsage(cpu0)
  return {
    cpuNs: ((cpu.user + cpu.system) * 1000) / n,
    syncNs: Number(t1 - t0) / n,
  }
}

async function makeOps(port, hasRoutemeter) {
  const { StatsD } = await import('hot-shots')
  const ops = []

  // The floor: what the design calls "a Map lookup and an array push".
  const map = new Map([['GET 200', { count: 0, samples: [] }]])
  ops.push({
    id: 'map-push',
    label: 'Map lookup + counter + array push (floor)',
    run(i) {
      const s = map.get('GET 200')
      s.count++
      s.samples.push(i * 0.001)
    },
    drain() {
      const s = map.get('GET 200')
      s.samples = []
    },
    close() {},
  })

  if (hasRoutemeter) {
    const { createMeter } = await import('@routemeter/core')
    const meter = createMeter({ host: '127.0.0.1', port, protocol: 'udp' })
    const handle = meter.route(ROUTE)
    ops.push({
      id: 'routemeter-record-request',
      label: 'routemeter meter.recordRequest({ route, method, statusCode, durationMs })',
      run(i) {
        meter.recordRequest({ route: ROUTE, method: 'GET', statusCode: 200, durationMs: i * 0.001 })
      },
      drain: () => meter.flush(),
      close: () => meter.close(),
    })
    ops.push({
      id: 'routemeter-route-record',
      label: 'routemeter route handle .record(method, status, ms) (adapter path)',
      run(i) {
        handle.record('GET', 200, i * 0.001)
      },
      drain: () => meter.flush(),
      close() {},
    })
  }

  const tags = () => ({ route: ROUTE, method: 'GET', status_code: '200' })
  for (const buffered of [true, false]) {
    const client = new StatsD({
      host: '127.0.0.1',
      port,
      protocol: 'udp',
      maxBufferSize: buffered ? 1432 : 0,
      errorHandler() {},
    })
    ops.push({
      id: buffered ? 'hotshots-buffered' : 'hotshots-unbuffered',
      label: `hot-shots increment + timing${buffered ? ' (maxBufferSize 1432)' : ' (unbuffered)'}`,
      unbuffered: !buffered,
      run(i) {
        const t = tags()
        client.increment('http.server.requests', 1, t)
        client.timing('http.server.duration', i * 0.001, t)
      },
      drain: () =>
        buffered
          ? new Promise((resolve) => client.flush(() => resolve()))
          : // Unbuffered sends complete in order: the last one's callback means all are out.
            new Promise((resolve) => client.increment('bench.drain', 1, 1, [], () => resolve())),
      close: () => new Promise((resolve) => client.close(() => resolve())),
    })
  }
  return ops
}

export async function runMicro({ port, quick, hasRoutemeter = true }) {
  let local
  if (!port) {
    local = dgram.createSocket('udp4')
    local.on('message', () => {})
    await new Promise((resolve) => local.bind(0, '127.0.0.1', resolve))
    port = local.address().port
  }
  const ops = await makeOps(port, hasRoutemeter)
  const reps = quick ? 3 : 11
  const base = (op) =>
    op.unbuffered
      ? 5000
      : op.id === 'hotshots-buffered'
        ? 25_000
        : op.id === 'map-push'
          ? 1e6
          : 100_000
  const sized = (op) => (quick ? base(op) : base(op) * 5)

  // Warm-up: let every path get optimised before anything is timed.
  for (const op of ops) await measure(op, Math.min(sized(op), 20_000))

  const results = new Map(ops.map((op) => [op.id, []]))
  for (let r = 0; r < reps; r++) {
    for (const op of shuffle(ops)) results.get(op.id).push(await measure(op, sized(op)))
  }
  for (const op of ops) await op.close()
  local?.close()

  return ops.map((op) => {
    const rs = results.get(op.id)
    const cpu = rs.map((x) => x.cpuNs)
    return {
      id: op.id,
      label: op.label,
      ops: sized(op),
      reps,
      cpuNs: median(cpu),
      cpuNsMin: Math.min(...cpu),
      cpuNsMax: Math.max(...cpu),
      syncNs: median(rs.map((x) => x.syncNs)),
    }
  })
}

const isWorker = typeof process.send === 'function'
if (isWorker) {
  serve({
    run: (args) => runMicro(args),
    close: () => {
      setImmediate(() => process.exit(0))
      return {}
    },
  })
  announceReady()
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, port: { type: 'string' } },
  })
  const rows = await runMicro({ port: values.port ? Number(values.port) : 0, quick: values.quick })
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(72)} ${r.cpuNs.toFixed(0).padStart(7)} ns/op CPU  ` +
        `(${r.cpuNsMin.toFixed(0)}–${r.cpuNsMax.toFixed(0)}), sync loop ${r.syncNs.toFixed(0)} ns/op`,
    )
  }
  process.exit(0)
}
