// The main matrix's measurement: paired windows. This VM's CPU runs the same code up to twice
// as fast in one second as in the next (other guests on the host; no steal time shows it), so
// two bursts run one after the other differ by far more than any variant's cost. Two servers
// loaded at the same time on the same pinned core see the same host for the whole window, and
// the ratio of their CPU per request cancels it: an A/A pair measured this way agrees within a
// few per cent window after window, where back-to-back bursts of it differed by 0.5–1.8×.
//
// Every round lays a framework's servers (its bare app, the A/A twin, every variant) in a random
// ring and measures each pair of neighbours in one window, so every server runs in exactly two
// windows per round: the same traffic for all (a process keeps getting cheaper for hundreds of
// thousands of requests, so a reference loaded more than the others would look cheaper).
// lib/cycle.mjs turns a round's windows into each server's ratio to the bare app.
//
// Idle is the other trap here. A server left without requests for a minute then ran at 7.6x,
// 5.9x, 4.0x ... its twin's cost over its first second of load, still 1.1–1.3x after two (paired,
// 200 ms slices); after 5 s idle, 2.8x for half a second. V8's memory reducer (an idle process
// gives back its young generation, which then regrows over many scavenges) accounts for the
// short case — the servers run with --no-memory-reducer (see run.mjs) — and something below the
// process (the kernel's DAMON is set to page out memory untouched for 60 s) for the long one. So
// a framework's rounds run back to back (no server waits for the other frameworks' rings), every
// server of the group being measured gets a trickle of requests between its windows (after a
// minute of trickle the penalty was 2.0x, 1.6x, 1.2x, 1.1x, 1.1x, then within 5 %), and each
// window opens only after a second of load.
import { busyMs } from './lib/cpustat.mjs'
import { ringRatios } from './lib/cycle.mjs'
import { measuredFields, settleSink } from './lib/sink-wait.mjs'
import { shuffle, sleep } from './lib/stats.mjs'

/**
 * Load before a window opens: both servers busy, and their loads in step. A server whose load
 * has just changed runs at an odd cost for the first few hundred milliseconds, one that sat idle
 * (trickled) for half a minute for about a second.
 */
const LEAD_MS = 1000
/** Requests per second to each server of the group being measured, outside its windows too. */
const TRICKLE_RATE = 20
/** Load after it closes, so that neither server's load ends inside it. */
const TAIL_MS = 300

/**
 * One window: both servers of `pair` loaded at once (half the connections each), `start` on both
 * once the loads run, `stop` on both `windowMs` later. Returns a record per server, like a solo
 * burst's, over the window.
 */
async function windowOnce(ctx, pair, { windowMs, connections }) {
  const share = Math.max(1, Math.round(connections / pair.length))
  for (const server of pair) {
    await server.call('flush')
    // Only StatsD senders need the sink to go quiet before and after a window.
    if (server.variant.emits === 'statsd') await settleSink(ctx.sink, server.sinkPort)
    await ctx.sink.call('reset', { port: server.sinkPort })
  }
  const durationS = (LEAD_MS + windowMs + TAIL_MS) / 1000
  const loads = pair.map((server) =>
    ctx.loader.call(
      'run',
      { port: server.port, duration: durationS, routes: server.routes, connections: share },
      60_000 + durationS * 1000,
    ),
  )
  // A failed load still has to be awaited before the window is given up.
  const settled = Promise.allSettled(loads)
  try {
    await sleep(LEAD_MS)
    const sinkCpu0 = (await ctx.sink.call('cpu')).us
    const busy0 = busyMs()
    const self0 = process.cpuUsage()
    const begins = await Promise.all(pair.map((server) => server.call('start')))
    await sleep(windowMs)
    const ends = await Promise.all(pair.map((server) => server.call('stop')))
    const busy1 = busyMs()
    const self = process.cpuUsage(self0)
    const sinkCpu = (await ctx.sink.call('cpu')).us - sinkCpu0
    const results = await settled
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    const runs = results.map((r) => r.value)
    // The loader measures its own process, which ran both loads: its CPU over the window.
    const loaderUs =
      (Math.max(...runs.map((r) => r.loaderCpuUs)) * windowMs) /
      Math.max(...runs.map((r) => r.elapsedMs))
    const wallMs = Math.max(...ends.map((e) => e.wallMs))
    const serversUs = ends.reduce((acc, e) => acc + e.userUs + e.systemUs, 0)
    const oursMs = (serversUs + loaderUs + sinkCpu + self.user + self.system) / 1000
    const foreignShare =
      busy0 === undefined ? undefined : Math.max(0, busy1 - busy0 - oursMs) / wallMs
    const records = []
    for (const [i, server] of pair.entries()) {
      const end = ends[i]
      const load = runs[i]
      const sunk =
        server.variant.emits === 'statsd'
          ? await settleSink(ctx.sink, server.sinkPort)
          : await ctx.sink.call('snapshot', { port: server.sinkPort })
      const cpuUs = end.userUs + end.systemUs
      records.push({
        ...measuredFields(begins[i], end, load, sunk),
        cpuUs,
        systemUs: end.systemUs,
        foreignShare,
      })
    }
    return records
  } finally {
    await settled
  }
}

/**
 * A window, measured again (up to `attempts` in all) when other processes on this shared machine
 * took more than `foreignLimit` of a core while it ran; the last attempt is kept either way.
 */
async function pairWindow(ctx, pair, sizes, { attempts, foreignLimit }) {
  let records
  for (let attempt = 1; attempt <= attempts; attempt++) {
    records = await windowOnce(ctx, pair, sizes)
    const disturbed = records[0].foreignShare > foreignLimit
    for (const rec of records) Object.assign(rec, { attempts: attempt, disturbed })
    if (!disturbed) break
  }
  return records
}

const SUMMED = [
  'served',
  'cpuUs',
  'systemUs',
  'wallMs',
  'clientErrors',
  'non2xx',
  'clientRequests',
  'packets',
  'bytes',
  'lines',
  'badLines',
  'counterSum',
  'samples',
  'linesSent',
  'datagramsSent',
  'droppedLines',
  'sendErrors',
]

/** A server's windows of one round as one record (sums, the worst disturbance, the last state). */
export function roundRecord(round, windows) {
  const last = windows.at(-1)
  const rec = { round, windowCount: windows.length }
  for (const key of SUMMED) {
    const values = windows.map((w) => w[key])
    rec[key] = values.every((v) => typeof v === 'number')
      ? values.reduce((a, b) => a + b, 0)
      : undefined
  }
  rec.cpuPerReq = rec.cpuUs / rec.served
  rec.sysPerReq = rec.systemUs / rec.served
  rec.rps = (rec.served / rec.wallMs) * 1000
  rec.maxDatagram = Math.max(...windows.map((w) => w.maxDatagram ?? 0))
  rec.foreignShare = Math.max(...windows.map((w) => w.foreignShare ?? 0))
  rec.disturbed = windows.some((w) => w.disturbed)
  rec.attempts = Math.max(...windows.map((w) => w.attempts))
  for (const key of ['totalServed', 'rss', 'heapUsed', 'check']) rec[key] = last[key]
  rec.windows = windows.map((w) => ({ partner: w.partner, log: w.logVsPartner }))
  return rec
}

/**
 * Runs `rounds` rounds of ring windows over each group (a reference server, the bare app, and
 * the variants compared with it), after `warmRounds` rounds run the same way and not recorded
 * (the first ring after the warm-up put the A/A control 5–10 % off where later ones did not).
 * A group's rounds run back to back, with every server of the group trickled between its windows
 * (see the top of this file). A server that fails is dropped from later rounds and reported in
 * `ctx.failures`. Returns each server's records, one per round, `cpuRatio` being its CPU per
 * request over the bare app's in that round's ring.
 */
export async function pairedRounds(ctx, groups, rounds, sizes, options) {
  const { label, firstRound = 0, warmRounds = 0, log } = options
  const records = new Map()
  const dead = new Set()
  for (const g of shuffle(groups)) {
    const servers = [g.ref, ...g.others]
    for (const s of servers) records.set(s, [])
    const trickles = await Promise.all(
      servers.map((s) =>
        ctx.loader.call('startTrickle', { port: s.port, rate: TRICKLE_RATE, routes: s.routes }),
      ),
    )
    try {
      for (let round = firstRound - warmRounds; round < firstRound + rounds; round++) {
        const measured = round >= firstRound
        const ring = shuffle(servers.filter((s) => !dead.has(s)))
        if (ring.length < 2) break
        const windowsOf = new Map(ring.map((s) => [s, []]))
        const steps = []
        // Two servers make a ring of one pair, measured twice.
        for (let k = 0; k < ring.length; k++) {
          const pair = [ring[k], ring[(k + 1) % ring.length]]
          try {
            const got = await pairWindow(ctx, pair, sizes(g.ref), options)
            const [from, next] = got.map((r) => r.cpuUs / r.served)
            for (const [i, server] of pair.entries()) {
              // Against its partner, for the fit over all of a run's windows (lib/pair-fit.mjs).
              got[i].partner = pair[1 - i].name
              got[i].logVsPartner = i === 0 ? Math.log(from / next) : Math.log(next / from)
              windowsOf.get(server).push(got[i])
            }
            steps.push({ from, next })
          } catch (err) {
            steps.push(undefined)
            log(
              `${pair.map((s) => s.name).join(' + ')} failed in round ${round + 1}: ${err.message}`,
            )
            ctx.failures.push({ id: pair.map((s) => s.variant.id).join(' + '), error: err.message })
            for (const server of pair) if (server.exited) dead.add(server)
          }
        }
        const name = `${label}, ${g.ref.variant.framework}`
        if (!measured) {
          log(`${name}: warm-up ring ${round - firstRound + warmRounds + 1}/${warmRounds} done`)
          continue
        }
        const ratios = ringRatios(ring, steps, g.ref)
        for (const [server, windows] of windowsOf) {
          if (windows.length === 0) continue
          const rec = roundRecord(round, windows)
          rec.cpuRatio = ratios.get(server)
          records.get(server).push(rec)
        }
        log(`${name}: round ${round + 1}/${firstRound + rounds} done`)
      }
    } finally {
      await Promise.all(trickles.map(({ id }) => ctx.loader.call('stopTrickle', { id })))
    }
  }
  return records
}
