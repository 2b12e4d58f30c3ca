// A real StatsD receiver for the benchmark: UDP sockets on 127.0.0.1 (ephemeral ports, one per
// server under test) that count datagrams, bytes and metric lines, and totals what the lines carry so the
// orchestrator can check that no metric was lost: the sum of counter values and the number
// of timer/histogram/distribution samples (packed `name:1:2:3|ms` values count one each, and a
// sample sent at `|@rate` counts 1 / rate, as a StatsD backend counts it).
import dgram from 'node:dgram'
import { announceReady, serve } from './lib/ipc.mjs'

function fresh() {
  return {
    packets: 0,
    bytes: 0,
    lines: 0,
    badLines: 0,
    counterSum: 0,
    samples: 0,
    gauges: 0,
    sets: 0,
    maxDatagram: 0,
  }
}

function parseLine(counts, line) {
  const bar = line.indexOf('|')
  const colon = line.indexOf(':')
  if (bar < 0 || colon < 0 || colon > bar) {
    counts.badLines++
    return
  }
  const nextBar = line.indexOf('|', bar + 1)
  const type = line.slice(bar + 1, nextBar < 0 ? line.length : nextBar)
  const values = line.slice(colon + 1, bar)
  if (type === 'c') {
    const v = Number(values)
    if (Number.isFinite(v)) counts.counterSum += v
    else counts.badLines++
  } else if (type === 'ms' || type === 'h' || type === 'd') {
    let n = 1
    for (let i = values.indexOf(':'); i >= 0; i = values.indexOf(':', i + 1)) n++
    const rate =
      nextBar >= 0 && line[nextBar + 1] === '@' ? Number.parseFloat(line.slice(nextBar + 2)) : 1
    counts.samples += n / rate
  } else if (type === 'g') {
    counts.gauges++
  } else if (type === 's') {
    counts.sets++
  } else {
    counts.badLines++
  }
}

// One socket per server under test, so a variant's window only ever counts its own traffic
// (idle routemeter servers still send their active-requests gauge every interval).
const sockets = new Map()

function open() {
  const counts = fresh()
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 })
  socket.on('message', (msg) => {
    counts.packets++
    counts.bytes += msg.length
    if (msg.length > counts.maxDatagram) counts.maxDatagram = msg.length
    const text = msg.toString('latin1')
    let start = 0
    while (start <= text.length) {
      let end = text.indexOf('\n', start)
      if (end < 0) end = text.length
      if (end > start) {
        counts.lines++
        parseLine(counts, text.slice(start, end))
      }
      start = end + 1
    }
  })
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port
      sockets.set(port, { socket, counts, baseline: fresh() })
      resolve({ port, recvBufferSize: socket.getRecvBufferSize() })
    })
  })
}

function entry(port) {
  const e = sockets.get(port)
  if (!e) throw new Error(`no sink socket on port ${port}`)
  return e
}

/** Counts since the last reset (`window`) and since the socket opened (`total`). */
function snapshot({ port }) {
  const { counts, baseline } = entry(port)
  const window = {}
  for (const key of Object.keys(counts)) window[key] = counts[key] - baseline[key]
  window.maxDatagram = counts.maxDatagram
  return { ...window, total: { ...counts } }
}

serve({
  open,
  snapshot,
  cpu: () => {
    const c = process.cpuUsage()
    return { us: c.user + c.system }
  },
  reset: ({ port }) => {
    const e = entry(port)
    e.baseline = { ...e.counts }
    e.counts.maxDatagram = 0
    return {}
  },
  release: ({ port }) => {
    entry(port).socket.close()
    sockets.delete(port)
    return {}
  },
  close: () => {
    for (const { socket } of sockets.values()) socket.close()
    setImmediate(() => process.exit(0))
    return {}
  },
})
announceReady()
