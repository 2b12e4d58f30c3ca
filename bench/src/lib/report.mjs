// Turns the raw burst records into the markdown report: tables, budget lines, and the
// machine/versions header.
import { VARIANTS } from '../variants/index.mjs'
import { CLUSTER_METHOD, clusterBudget, clusterTable } from './cluster-report.mjs'
import { fitPairs } from './pair-fit.mjs'
import { fmt, fmtInt, max, mdTable, median, min, quantile, spread } from './stats.mjs'

const MB = 2 ** 20
const FLOOR = {
  fastify: 'fastify-hooks',
  express: 'express-finish',
  koa: 'koa-middleware',
  hono: 'hono-middleware',
}
const FRAMEWORKS = Object.keys(FLOOR)
/** The longest event-loop stall an interval flush of 20 000 series may cause. */
const FLUSH_STALL_MS = 6
/** How far from 1 the A/A control may land for the run to resolve the budgets below. */
const AA_TOLERANCE = 0.03
/** Routemeter's CPU per request against the bare app of its framework, at most. */
const CPU_BUDGETS = [
  ['fastify-routemeter-tags', 1.1],
  ['express-routemeter-tags', 1.05],
  ['express-routemeter-path', 1.05],
  ['koa-routemeter-tags', 1.06],
  ['hono-routemeter-tags', 1.06],
]
const FRAMEWORK_NAMES = { fastify: 'Fastify', express: 'Express', koa: 'Koa', hono: 'Hono' }

/** The per-round values of `key` that were measured (a failed window leaves a round without one). */
function ratios(recs, key) {
  return recs.map((r) => r[key]).filter((x) => typeof x === 'number')
}

/** A variant's ratio to another variant of the same framework, round by round. */
function sum(recs, key) {
  return recs.reduce((acc, r) => acc + (r[key] ?? 0), 0)
}

function per1k(recs, key) {
  return median(recs.map((r) => (r[key] / r.served) * 1000))
}

/**
 * What the sink got per 1 000 requests: over the server's life (`lifeKey`) when it was counted
 * there, else per window. A paired window (`windowCount`) runs under load that began before it,
 * so its sink counts hold the datagrams of earlier requests too: without the life count, none.
 */
function sinkPer1k(recs, lifetime, key, lifeKey) {
  const got = lifetime?.[lifeKey]
  if (typeof got === 'number' && lifetime.served > 0) return (got / lifetime.served) * 1000
  const paired = recs.some((r) => r.windowCount !== undefined)
  if (!paired) return per1k(recs, key)
  return recs.every((r) => r[key] === 0) ? 0 : Number.NaN
}

/**
 * What the sink received against what the requests produced, over the server's whole life
 * (closed at the end, so nothing is in flight; warm-ups included): counter values summed, timer
 * samples counted, and every line the meter handed to its transport. Measured windows run under
 * continuous load, so the sink cannot tell which of their requests a datagram carries.
 */
function lossOf(variant, lifetime) {
  if (variant.emits !== 'statsd' || !variant.perRequest) return undefined
  if (typeof lifetime?.served !== 'number') return undefined
  const served = lifetime.served
  const expectedCounter = served * variant.perRequest.counter
  const expectedSamples = served * variant.perRequest.samples
  const gotCounter = lifetime.counterGot
  // Samples sent at a rate weigh 1 / rate (floating point): the backend's count, to the unit.
  const gotSamples = Math.round(lifetime.samplesGot)
  const linesOk = lifetime.linesSent === undefined || lifetime.linesGot === lifetime.linesSent
  return {
    served,
    expectedCounter,
    gotCounter,
    expectedSamples,
    gotSamples,
    lifetime,
    badLines: lifetime.badLines ?? 0,
    exact: gotCounter === expectedCounter && gotSamples === expectedSamples && linesOk,
  }
}

/** The check of a scrape after the last round (scrapeChecks in run.mjs). */
function scrapeVerification(check) {
  const what = `GET ${check.path}: ${check.sample}`
  if (check.status !== 200)
    return `prom ✗ ${what} failed (${check.error ?? `status ${check.status}`})`
  return check.total === check.served
    ? `prom ✓ ${what} = ${fmtInt(check.total)} served`
    : `prom ✗ ${what} ${fmtInt(check.total)} ≠ ${fmtInt(check.served)} served`
}

function verification(variant, recs, loss, check) {
  if (check) return scrapeVerification(check)
  if (variant.emits === 'statsd') {
    if (!loss) return 'statsd'
    const c = loss.gotCounter / loss.served
    const s = loss.gotSamples / loss.served
    const what = `${fmt(c, 2)} count + ${fmt(s, 2)} samples/req`
    return loss.exact
      ? `statsd ✓ exact: ${what}`
      : `statsd ✗ got ${what} (expected ${variant.perRequest.counter} + ${variant.perRequest.samples})`
  }
  if (variant.emits === 'prometheus') {
    const last = recs.at(-1)
    const recorded = last?.check?.recorded
    if (recorded === undefined) return 'prom (not checked)'
    return recorded === last.totalServed
      ? `prom ✓ histogram count = ${fmtInt(recorded)} served`
      : `prom ✗ histogram count ${fmtInt(recorded)} ≠ ${fmtInt(last.totalServed)} served`
  }
  return '—'
}

/** A server's windows as `fitPairs` takes them (`name`: how its partners' records name it). */
function windowsOf(name, records) {
  return records.flatMap((rec) =>
    (rec.windows ?? [])
      .filter((w) => Number.isFinite(w.log))
      .map((w) => ({ a: name, b: w.partner, log: w.log })),
  )
}

/**
 * Each variant's CPU per request over its framework's bare app, fitted to every paired window of
 * the run (lib/pair-fit.mjs). Records of a run from before the fit carry no windows: their
 * variants are left out, and get the median of their per-round ratios instead.
 */
function fittedRatios(main) {
  const out = new Map()
  for (const framework of FRAMEWORKS) {
    const bare = VARIANTS.find((v) => v.framework === framework && v.kind === 'bare')
    const windows = VARIANTS.filter((v) => v.framework === framework).flatMap((v) =>
      windowsOf(v.id, main[v.id] ?? []),
    )
    if (bare === undefined || windows.length === 0) continue
    for (const [id, ratio] of fitPairs(windows, bare.id)) out.set(id, ratio)
  }
  return out
}

export function summarizeMain(main, lifetime = {}, scrapes = {}) {
  const fitted = fittedRatios(main)
  const out = []
  for (const variant of VARIANTS) {
    const recs = main[variant.id]
    if (!recs || recs.length === 0) continue
    const loss = lossOf(variant, lifetime[variant.id])
    out.push({
      variant,
      rounds: new Set(recs.map((r) => r.round)).size,
      cpu: recs.map((r) => r.cpuPerReq),
      cpuRatio: ratios(recs, 'cpuRatio'),
      ratio: fitted.get(variant.id) ?? median(ratios(recs, 'cpuRatio')),
      fitted: fitted.has(variant.id),
      // Over the server's life where the sink counted it: a paired window runs under load
      // that began before it, so the sink also gets the datagrams of requests served before
      // the window opened (its first flush sends them).
      packetsPer1k: sinkPer1k(recs, lifetime[variant.id], 'packets', 'datagramsGot'),
      bytesPer1k: sinkPer1k(recs, lifetime[variant.id], 'bytes', 'bytesGot'),
      linesPer1k: sinkPer1k(recs, lifetime[variant.id], 'lines', 'linesGot'),
      maxDatagram: max(recs.map((r) => r.maxDatagram)),
      rss: recs.at(-1).rss,
      clientErrors: sum(recs, 'clientErrors') + sum(recs, 'non2xx'),
      loss,
      scrape: scrapes[variant.id],
      verified: verification(variant, recs, loss, scrapes[variant.id]),
    })
  }
  return out
}

function mainTable(rows) {
  const header = [
    'Variant',
    'CPU µs/req',
    '× bare CPU',
    'req/s per core',
    'datagrams /1k req',
    'bytes /1k req',
    'RSS MB',
    'emits (checked on the sink / registry)',
  ]
  const body = rows.map((r) => [
    r.variant.label,
    spread(r.cpu, 1),
    r.variant.kind === 'bare'
      ? '1'
      : `${fmt(r.ratio, 3)} (${fmt(min(r.cpuRatio), 3)}–${fmt(max(r.cpuRatio), 3)})`,
    fmtInt(1e6 / median(r.cpu)),
    fmt(r.packetsPer1k, 1),
    fmtInt(r.bytesPer1k),
    fmt(r.rss / MB, 1),
    r.clientErrors ? `${r.verified}; ${r.clientErrors} client errors` : r.verified,
  ])
  return mdTable(header, body)
}

/**
 * The scale section's servers ran in one ring (see scaleRuns in run.mjs), so one fit over its
 * windows gives each server's cost against the bare app at the fewest routes: a variant's ratio
 * to bare at its own route count, and its growth from the fewest routes, are quotients of those.
 * A run from before the scale section was paired has no windows: its per-round ratios are used.
 */
function summarizeScale(scale) {
  if (!scale) return undefined
  const key = (id, routes) => `${id}@${routes}`
  const routeCounts = [...new Set(scale.map((s) => s.routes))].sort((a, b) => a - b)
  const windows = scale.flatMap((s) => windowsOf(key(s.id, s.routes), s.records))
  const level = windows.length ? fitPairs(windows, key('fastify-bare', routeCounts[0])) : new Map()
  const ids = [...new Set(scale.map((s) => s.id))]
  const rows = []
  for (const routes of routeCounts) {
    for (const id of ids) {
      const s = scale.find((x) => x.id === id && x.routes === routes)
      if (!s || s.records.length === 0) continue
      const mine = level.get(key(id, routes))
      const bare = level.get(key('fastify-bare', routes))
      const first = level.get(key(id, routeCounts[0]))
      rows.push({
        id,
        routes,
        cpu: s.records.map((r) => r.cpuPerReq),
        ratio:
          mine !== undefined && bare !== undefined
            ? mine / bare
            : median(id === 'fastify-bare' ? [1] : ratios(s.records, 'cpuRatio')),
        growth: mine !== undefined && first !== undefined ? mine / first : Number.NaN,
        packetsPer1k: sinkPer1k(s.records, s.lifetime, 'packets', 'datagramsGot'),
        loss: lossOf(
          VARIANTS.find((v) => v.id === id),
          s.lifetime,
        ),
      })
    }
  }
  return { rows, routeCounts }
}

function scaleTable(summary) {
  const label = (id) => VARIANTS.find((v) => v.id === id)?.label ?? id
  const fewest = fmtInt(summary.routeCounts[0])
  return mdTable(
    [
      'Routes hit',
      'Variant',
      'CPU µs/req',
      '× bare CPU (same routes)',
      `× its own CPU at ${fewest} routes`,
      'req/s per core',
      'datagrams /1k req',
    ],
    summary.rows.map((r) => [
      fmtInt(r.routes),
      label(r.id),
      spread(r.cpu, 1),
      r.id === 'fastify-bare' ? '1' : fmt(r.ratio, 3),
      fmt(r.growth, 3),
      fmtInt(1e6 / median(r.cpu)),
      fmt(r.packetsPer1k, 1),
    ]),
  )
}

/**
 * Start-up per route count and variant: CPU and wall time to `ready()` and to listening, and
 * the CPU ratio to the bare app started in the same round.
 */
function summarizeStartup(startup) {
  if (!startup?.length) return undefined
  const routeCounts = [...new Set(startup.map((s) => s.routes))].sort((a, b) => a - b)
  const ids = VARIANTS.map((v) => v.id).filter((id) => startup.some((s) => s.id === id))
  const rows = []
  for (const routes of routeCounts) {
    const bare = new Map()
    for (const s of startup)
      if (s.routes === routes && s.id === 'fastify-bare') bare.set(s.round, s)
    for (const id of ids) {
      const recs = startup.filter((s) => s.id === id && s.routes === routes)
      if (recs.length === 0) continue
      const paired = recs.filter((s) => bare.has(s.round))
      rows.push({
        id,
        routes,
        cpuMs: recs.map((s) => s.cpuMs),
        readyMs: recs.map((s) => s.readyMs),
        listenMs: recs.map((s) => s.listenMs),
        cpuRatio: paired.map((s) => s.cpuMs / bare.get(s.round).cpuMs),
        wallRatio: paired.map((s) => s.listenMs / bare.get(s.round).listenMs),
      })
    }
  }
  return { rows, routeCounts, rounds: new Set(startup.map((s) => s.round)).size }
}

function startupTable(summary) {
  const label = (id) => VARIANTS.find((v) => v.id === id)?.label ?? id
  return mdTable(
    [
      'Routes',
      'Variant',
      'CPU ms to listening',
      '× bare CPU (same round)',
      'wall ms to ready',
      'wall ms to listening',
      '× bare wall',
    ],
    summary.rows.map((r) => [
      fmtInt(r.routes),
      label(r.id),
      spread(r.cpuMs, 0),
      r.id === 'fastify-bare' ? '1' : spread(r.cpuRatio, 3),
      fmtInt(median(r.readyMs)),
      spread(r.listenMs, 0),
      r.id === 'fastify-bare' ? '1' : fmt(median(r.wallRatio), 3),
    ]),
  )
}

const FLUSH_ROWS = [
  ['sliced', 'interval flush (drained in slices)'],
  ['oneGo', '`flush()` (drained in one go, as close() and the exit flush)'],
  ['idle', 'idle window, no flush (this machine’s noise floor)'],
]

function flushTable(flush) {
  return mdTable(
    ['What ran', 'max event-loop delay ms', 'flush wall ms', 'flush CPU ms'],
    FLUSH_ROWS.filter(([key]) => flush[key]?.length).map(([key, label]) => [
      label,
      spread(
        flush[key].map((r) => r.maxDelayMs),
        1,
      ),
      key === 'idle' ? '–' : fmt(median(flush[key].map((r) => r.flushMs)), 1),
      key === 'idle' ? '–' : fmt(median(flush[key].map((r) => r.cpuMs)), 1),
    ]),
  )
}

function microTable(micro) {
  return mdTable(
    [
      'Operation (one finished request)',
      'CPU ns/op, median (min–max)',
      'sync loop ns/op',
      'ops × reps',
    ],
    micro.map((m) => [
      m.label,
      `${fmtInt(m.cpuNs)} (${fmtInt(m.cpuNsMin)}–${fmtInt(m.cpuNsMax)})`,
      fmtInt(m.syncNs),
      `${fmtInt(m.ops)} × ${m.reps}`,
    ]),
  )
}

const PASS = 'PASS'
const MISS = 'MISS'

/** The issue's budget, line by line. */
/** How a row's ratio was worked out, for the budget lines. */
function fitNote(row) {
  return row.fitted ? 'fit over every window; ' : 'median of rounds; '
}

function budgetLines({ rows, cluster, scale, startup, flush, rss, micro, quick }) {
  const lines = []
  const row = (id) => rows.find((r) => r.variant.id === id)
  const add = (status, text) => lines.push({ status, text })
  const notRun = (text) => add('NOT RUN', text)

  // CPU per request against bare, fitted to every window of the run.
  const cpuBudget = (id, limit) => {
    const r = row(id)
    const name = r?.variant.label ?? id
    if (!r) return notRun(`${name}: CPU/req ≤ ${limit}× bare`)
    const ratio = r.ratio
    const floor = row(FLOOR[r.variant.framework])
    add(
      ratio <= limit ? PASS : MISS,
      `${name}: CPU/req ${fmt(ratio, 3)}× bare (${fitNote(r)}rounds ${fmt(min(r.cpuRatio), 3)}–` +
        `${fmt(max(r.cpuRatio), 3)}; the empty ${floor ? `floor ${fmt(floor.ratio, 3)}×` : 'floor not run'}) — budget ≤ ${limit}× bare`,
    )
  }
  // The A/A control shows how far an identical app lands from 1 with this method and machine:
  // the resolution of every ratio of its framework in this run.
  const resolution = {}
  for (const r of rows.filter((x) => x.variant.kind === 'control')) {
    const ratio = r.ratio
    resolution[r.variant.framework] = Math.abs(ratio - 1)
    add(
      Math.abs(ratio - 1) <= AA_TOLERANCE ? PASS : MISS,
      `${r.variant.label}: ${fmt(ratio, 3)}× bare (${fitNote(r)}rounds ${fmt(min(r.cpuRatio), 3)}–` +
        `${fmt(max(r.cpuRatio), 3)}, middle half ${fmt(quantile(r.cpuRatio, 0.25), 3)}–` +
        `${fmt(quantile(r.cpuRatio, 0.75), 3)}) — the resolution of this framework's ratios; ` +
        `within ±${AA_TOLERANCE * 100} %`,
    )
  }
  for (const [id, limit] of CPU_BUDGETS) cpuBudget(id, limit)

  // Every routemeter row ahead of every peer row of its framework, by more than the A/A
  // spread: ratios to the same round's bare app, so both sides of the comparison are paired.
  for (const fw of FRAMEWORKS) {
    const ours = rows.filter((r) => r.variant.framework === fw && r.variant.kind === 'routemeter')
    const peers = rows.filter((r) => r.variant.framework === fw && r.variant.kind === 'peer')
    if (peers.length === 0) continue
    if (ours.length === 0) {
      notRun(`${fw}: every routemeter row ahead of every peer`)
      continue
    }
    const worst = ours.reduce((a, b) => (a.ratio >= b.ratio ? a : b))
    const margin = resolution[fw]
    for (const p of peers) {
      const lead = p.ratio - worst.ratio
      const ok = margin === undefined ? lead > 0 : lead > margin
      add(
        ok ? PASS : MISS,
        `${p.variant.label}: ${fmt(p.ratio, 3)}× bare (${fmt(median(p.cpu), 1)} µs/req) ` +
          `vs the costliest routemeter row, ${worst.variant.label}, ${fmt(worst.ratio, 3)}× ` +
          `(${fmt(median(worst.cpu), 1)} µs/req): routemeter ahead by ${fmt(lead, 3)} — ` +
          (margin === undefined
            ? 'must be ahead (no A/A control in this run)'
            : `must exceed the A/A spread ${fmt(margin, 3)}`),
      )
    }
  }

  // Prometheus only: routemeter's exposition against the Prometheus peers of its framework,
  // and every exposition's count equal to the requests served.
  for (const fw of FRAMEWORKS) {
    const ours = row(`${fw}-routemeter-prom`)
    const peers = rows.filter(
      (r) =>
        r.variant.framework === fw && r.variant.kind === 'peer' && r.variant.emits === 'prometheus',
    )
    if (!ours) continue
    for (const p of peers) {
      const lead = p.ratio - ours.ratio
      add(
        lead > 0 ? PASS : MISS,
        `${p.variant.label}: ${fmt(p.ratio, 3)}× bare vs ${ours.variant.label} ` +
          `${fmt(ours.ratio, 3)}× — Prometheus against Prometheus, routemeter ahead`,
      )
    }
  }
  for (const r of rows.filter((x) => x.scrape)) {
    const c = r.scrape
    add(
      c.status === 200 && c.total === c.served ? PASS : MISS,
      `${r.variant.label}: one scrape of ${c.path} after the last round, ${c.sample} summed ` +
        `${fmtInt(c.total)} over ${fmtInt(c.series)} series, ${fmtInt(c.served)} served ` +
        `(${fmt(c.ms, 1)} ms, ${fmtInt(c.bytes)} B) — the exposition counts every request`,
    )
  }

  if (cluster) clusterBudget(cluster, add)

  // Datagrams per 1000 requests.
  for (const id of [
    'fastify-routemeter-tags',
    'fastify-routemeter-path',
    'express-routemeter-tags',
    'express-routemeter-path',
    'koa-routemeter-tags',
    'hono-routemeter-tags',
  ]) {
    const r = row(id)
    if (!r) continue
    add(
      r.packetsPer1k <= 70 ? PASS : MISS,
      `${r.variant.label}: ${fmt(r.packetsPer1k, 1)} datagrams /1000 requests (largest ` +
        `${fmtInt(r.maxDatagram)} B) — budget ≤ 70 at default settings`,
    )
  }
  const packed = row('fastify-routemeter-packed')
  if (packed) {
    add(
      packed.packetsPer1k <= 10 ? PASS : MISS,
      `${packed.variant.label}: ${fmt(packed.packetsPer1k, 1)} datagrams /1000 requests — budget ≤ 10 with packValues`,
    )
  } else notRun('datagrams /1000 requests with packValues ≤ 10')

  // Zero metrics lost on loopback, counted on the sink.
  const ours = rows.filter((r) => r.variant.kind === 'routemeter' && r.loss)
  if (ours.length) {
    for (const r of ours) {
      const l = r.loss
      const life = l.lifetime
      add(
        l.exact ? PASS : MISS,
        `${r.variant.label}: sink got ${fmtInt(l.gotCounter)}/${fmtInt(l.expectedCounter)} counts ` +
          `and ${fmtInt(l.gotSamples)}/${fmtInt(l.expectedSamples)} samples for the requests served over the server's life; ` +
          (life.linesSent !== undefined
            ? `${fmtInt(life.linesGot)}/${fmtInt(life.linesSent)} lines ` +
              `(${fmtInt(life.datagramsGot)}/${fmtInt(life.datagramsSent)} datagrams), ` +
              `${fmtInt(life.droppedLines)} dropped`
            : 'lifetime line count not available') +
          `${l.badLines ? `, ${l.badLines} unparsable lines` : ''} — zero lost on loopback`,
      )
    }
  } else notRun('zero metrics lost on loopback (sink count check)')

  // What routemeter adds stays flat from 10 to 10 000 routes: its cost over the bare app at the
  // same route count, at the most routes against at the fewest (the bare app's own growth is
  // Fastify's router, shown beside it).
  if (scale) {
    const ids = [...new Set(scale.rows.map((r) => r.id))].filter((id) => id !== 'fastify-bare')
    const lo = Math.min(...scale.routeCounts)
    const hi = Math.max(...scale.routeCounts)
    const at = (id, routes) => scale.rows.find((r) => r.id === id && r.routes === routes)
    for (const id of ids) {
      const a = at(id, lo)
      const b = at(id, hi)
      if (!a || !b) continue
      const added = b.ratio / a.ratio
      const label = VARIANTS.find((v) => v.id === id)?.label ?? id
      add(
        added <= 1.1 ? PASS : MISS,
        `${label}: its cost over bare at ${fmtInt(hi)} routes (${fmt(b.ratio, 3)}×) is ` +
          `${fmt(added, 3)}× that at ${fmtInt(lo)} (${fmt(a.ratio, 3)}×); its CPU/req grew ` +
          `${fmt(b.growth, 3)}×, the bare app's ${fmt(at('fastify-bare', hi)?.growth, 3)}× — ` +
          'flat within 10 %',
      )
      if (b.loss) {
        add(
          b.loss.exact ? PASS : MISS,
          `${label} at ${fmtInt(hi)} routes: sink got ${fmtInt(b.loss.gotCounter)}/` +
            `${fmtInt(b.loss.expectedCounter)} counts, ${fmtInt(b.loss.gotSamples)}/` +
            `${fmtInt(b.loss.expectedSamples)} samples — zero lost`,
        )
      }
    }
  } else notRun('per-request cost flat from 10 to 10 000 routes')

  // Start-up with many routes, against the bare app started in the same round.
  if (startup) {
    const hi = Math.max(...startup.routeCounts)
    for (const r of startup.rows.filter((x) => x.routes === hi && x.id !== 'fastify-bare')) {
      const label = VARIANTS.find((v) => v.id === r.id)?.label ?? r.id
      const ratio = median(r.cpuRatio)
      add(
        ratio <= 1.1 ? PASS : MISS,
        `${label}: start-up with ${fmtInt(hi)} routes takes ${fmt(ratio, 3)}× the bare app's CPU ` +
          `(rounds ${fmt(min(r.cpuRatio), 3)}–${fmt(max(r.cpuRatio), 3)}; wall ${fmt(median(r.wallRatio), 3)}×, ` +
          `${fmtInt(median(r.listenMs))} ms to listening) — within 10 %`,
      )
    }
  } else notRun('start-up with 10 000 routes within 10 % of the bare app')

  // Event-loop delay of the interval flush with 20 000 live series.
  if (flush?.sliced?.length) {
    const delay = median(flush.sliced.map((r) => r.maxDelayMs))
    const idle = median(flush.idle.map((r) => r.maxDelayMs))
    add(
      delay <= FLUSH_STALL_MS ? PASS : MISS,
      `interval flush of ${fmtInt(flush.series)} live series (${fmtInt(flush.linesPerFlush)} lines): ` +
        `max event-loop delay ${fmt(delay, 1)} ms, median over ${flush.sliced.length} flushes ` +
        `(idle window ${fmt(idle, 1)} ms; the same drained in one go ` +
        `${fmt(median(flush.oneGo.map((r) => r.maxDelayMs)), 1)} ms) — budget ≤ ${FLUSH_STALL_MS} ms`,
    )
  } else
    notRun(
      `no flush blocks the event loop for more than ${FLUSH_STALL_MS} ms with 20 000 live series`,
    )

  // RSS growth.
  if (rss) {
    const scaled = rss.requests < 1_000_000
    const lost = rss.served - rss.counterSum
    add(
      rss.growth < 30 * MB ? PASS : MISS,
      `RSS growth after ${fmtInt(rss.requests)} requests over ${fmtInt(rss.routes)} routes: ` +
        `${fmt(rss.growth / MB, 1)} MB (heap ${fmt(rss.heapGrowth / MB, 1)} MB) — budget < 30 MB ` +
        `after 1 000 000${scaled ? ' (quick mode runs fewer requests; the full run does 1 000 000)' : ''}`,
    )
    add(
      lost === 0 && rss.samples === rss.served ? PASS : MISS,
      `RSS run: sink got ${fmtInt(rss.counterSum)}/${fmtInt(rss.served)} counts and ` +
        `${fmtInt(rss.samples)}/${fmtInt(rss.served)} samples — zero lost`,
    )
  } else notRun(`RSS growth after 1 000 000 requests over 1 000 routes < 30 MB`)

  if (micro) {
    const rm = micro.find((m) => m.id === 'routemeter-route-record')
    const hs = micro.find((m) => m.id === 'hotshots-buffered')
    if (rm && hs) {
      add(
        'INFO',
        `record path: routemeter ${fmtInt(rm.cpuNs)} ns/request (incl. flush and send) vs ` +
          `hot-shots buffered increment+timing ${fmtInt(hs.cpuNs)} ns (${fmt(hs.cpuNs / rm.cpuNs, 1)}×)`,
      )
    }
  }
  if (quick) {
    add('INFO', 'quick mode: fewer and shorter windows; run `pnpm bench` for the full figures')
  }
  return lines
}

/** One setting per framework, in FRAMEWORKS order: `12,000/2,500/6,000/6,000`. */
function perFramework(setting) {
  return FRAMEWORKS.map((f) => fmtInt(setting[f])).join('/')
}

function header(meta) {
  const m = meta.machine
  const v = meta.versions
  const s = meta.settings
  const lib = (name) => `${name} ${v[name]}`
  return [
    `Date: ${meta.date}  `,
    `Command: \`${meta.command}\` (${s.mode} mode, ${fmt(meta.durationSeconds ?? 0, 0)} s)  `,
    `Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGb, 0)} GB RAM, ${m.os}  `,
    `Commit: ${m.commit}  `,
    `Node ${v.node}; ${lib('fastify')}; ${lib('express')}; ${lib('koa')} (${lib('@koa/router')}); ` +
      `${lib('hono')} (${lib('@hono/node-server')}); ${lib('hot-shots')}; ${lib('autocannon')}  `,
    `routemeter: ${lib('@routemeter/core')}, ${lib('@routemeter/fastify')}, ${lib('@routemeter/express')}, ` +
      `${lib('@routemeter/koa')}, ${lib('@routemeter/hono')}  `,
    `Peers: ${lib('fastify-metrics')} (with ${lib('@platformatic/prom-client')}); ` +
      `${lib('@immobiliarelabs/fastify-metrics')} (dats ${v['@immobiliarelabs/dats'] ?? '?'}); ` +
      `${lib('express-prom-bundle')} (${lib('prom-client')}); ${lib('connect-datadog')}; ` +
      `${lib('prometheus-api-metrics')}; ${lib('@hono/prometheus')}  `,
    `Pinning: ${meta.pinning}  `,
    `Load: autocannon, ${s.connections} connections, keep-alive, GET of a JSON hello-world route; UDP sink on 127.0.0.1 ` +
      `(receive buffer ${fmtInt(meta.sinkRecvBuffer / 1024)} KiB)  `,
    `Windows: ${s.rounds} rounds${s.generations > 1 ? ` over ${s.generations} sets of fresh processes (every variant restarted and warmed up again after each ${s.rounds / s.generations} rounds)` : ''}; ` +
      `each round lays every framework's servers in a random ring and loads each pair of neighbours at once for ` +
      `${perFramework(s.windowMs)} ms (${FRAMEWORKS.map((f) => FRAMEWORK_NAMES[f]).join('/')}), ${s.connections / 2} connections each, ` +
      `after a first warm-up of ${perFramework(s.firstWarmup)} requests${s.generations > 1 ? ' per set of processes' : ''}.  `,
  ].join('\n')
}

const METHOD = `How to read it: **CPU µs/req** is the server process's own \`process.cpuUsage()\` (user +
system) between two IPC messages around a window of load, divided by the requests its handler ran
in it; the window starts and ends with a flush of the variant's metrics, so aggregation and
sending are paid inside it. This VM's CPU speed swings by up to 2× from one second to the next
(other guests on the host), so servers are never compared across time: each window loads two
servers at once on the same pinned core, and their CPU per request is compared within it. No
server is measured out of idle (one idle for a minute cost several times more per request for
its first second of load): a framework's rounds run back to back, its servers get a trickle of
20 requests per second between their windows, a window opens after a second of load, and the
servers run with \`--no-memory-reducer\`. Every
round lays a framework's servers (bare app, A/A twin, variants) in a fresh random ring and
measures each pair of neighbours, so every server runs in two windows per round and serves the
same traffic as the others. **× bare** is one cost per variant fitted to every window of the
run at once (least squares on the windows' log ratios, with Huber weights so that a window the
host disturbed counts less than a clean one): over the rounds' random rings each variant meets
most of the others, so it is tied to the bare app along many short paths, where a single ring
ties it through up to half the ring's windows. In brackets, the range of the round-by-round
values (each round's ratios chained round its ring to the bare app). The A/A control is a second, identical bare process measured like a
variant: how far it lands from 1 is the resolution of this run for its framework, and a
routemeter row is ahead of a peer only by more than that. **req/s per core** is 1 / CPU per
request: what one core fully given to the server would serve. Datagrams and bytes are what the
sink received per 1 000 requests over each server's whole life (a window's first flush also sends
requests served before it opened). The emits column checks that each variant really records:
StatsD variants on the sink (counter values summed and samples counted, against the requests
served), Prometheus variants through their registry's histogram count, or, for those serving
\`/metrics\` on the app's port, through one HTTP scrape after the last round (never inside a
measured window).`

function disturbance(main, scale, settings) {
  const all = [...Object.values(main).flat(), ...(scale ?? []).flatMap((s) => s.records)]
  const measured = all.filter((r) => typeof r.foreignShare === 'number')
  if (measured.length === 0) return 'Disturbance: not measured (/proc/stat unavailable).'
  const disturbed = measured.filter((r) => r.disturbed).length
  const retried = measured.filter((r) => r.attempts > 1).length
  return (
    `Disturbance: this machine is shared; ${disturbed} of ${measured.length} measurements ran while ` +
    `other processes used more than 0.15 of a core (median ${fmt(median(measured.map((r) => r.foreignShare)), 2)} ` +
    `cores, from /proc/stat minus the benchmark's own processes)` +
    (settings.attempts > 1
      ? `; ${retried} were re-run (up to ${settings.attempts} attempts, the last kept).`
      : '; quick mode does not re-run them.')
  )
}

export function renderReport({
  meta,
  main,
  lifetime,
  scrapes,
  cluster,
  scale,
  startup,
  flush,
  rss,
  micro,
  skipped,
  failures,
}) {
  const rows = summarizeMain(main, lifetime, scrapes)
  const scaleSummary = summarizeScale(scale)
  const startupSummary = summarizeStartup(startup)
  const quick = meta.settings.mode === 'quick'
  const budget = budgetLines({
    rows,
    cluster,
    scale: scaleSummary,
    startup: startupSummary,
    flush,
    rss,
    micro,
    quick,
  })
  const parts = [
    '# routemeter benchmark results',
    '',
    header(meta),
    disturbance(main, scale, meta.settings),
    '',
    '## Budget',
    '',
    ...budget.map((b) => `- **${b.status}** ${b.text}`),
    '',
    '## Overhead against a bare app and against peers',
    '',
    mainTable(rows),
    '',
    METHOD,
  ]
  if (scaleSummary) {
    parts.push(
      '',
      '## Scale: distinct routes hit',
      '',
      `Fastify only (Express's router matches routes one after another, so its own cost grows ` +
        `with the route count). Templates \`/s<i>/items/:id\` hit round robin; every route is ` +
        `hit before measuring, so every series exists. Every variant at every route count in ` +
        `one ring of paired windows, ${meta.settings.scale.rounds} rounds, fitted as the main ` +
        `matrix; counts checked over each server's life.`,
      '',
      scaleTable(scaleSummary),
    )
  }
  if (startupSummary) {
    parts.push(
      '',
      '### Start-up with many routes',
      '',
      `The same apps started one at a time (nothing else starting beside them), pinned to the ` +
        `server core; each times itself from \`Fastify()\` to \`ready()\` and to listening, ` +
        `plugin import and route registration included. ${startupSummary.rounds} rounds, ` +
        `variants in random order; ratios to the bare app of the same round.`,
      '',
      startupTable(startupSummary),
    )
  }
  if (cluster?.results.length) {
    parts.push(
      '',
      `## Cluster: ${cluster.workers} workers × ${fmtInt(cluster.routes)} series, scraped`,
      '',
      CLUSTER_METHOD(cluster),
      '',
      clusterTable(cluster),
    )
  }
  if (flush) {
    parts.push(
      '',
      '## Flush: event-loop delay with 20 000 live series',
      '',
      `One meter at its default series cap (${fmtInt(flush.series)} series: 2 000 routes × 10 ` +
        `statuses, 3 timer samples each, ${fmtInt(flush.linesPerFlush)} lines and ` +
        `~${fmtInt(flush.datagramsPerFlush)} datagrams per flush) sending to the sink, on the ` +
        `server core; \`monitorEventLoopDelay\` (1 ms resolution) per flush, median (min–max) ` +
        `over ${flush.sliced.length} flushes of each kind; ${fmtInt(flush.droppedLines)} lines dropped. ` +
        `The interval flush's wall and CPU time run from the first turn that sees it started ` +
        '(its first ~1 ms slice is not in them); the idle row watches the same process for one interval.',
      '',
      flushTable(flush),
    )
  }
  if (rss) {
    const pts = rss.points
    const pick = [...new Set([0, Math.floor(pts.length / 2), pts.length - 1])].map((i) => pts[i])
    parts.push(
      '',
      '## Memory',
      '',
      `${VARIANTS.find((v) => v.id === rss.variant)?.label}, ${fmtInt(rss.routes)} routes, ` +
        `${fmtInt(rss.requests)} requests after a ${fmtInt(meta.settings.rss.warmup)}-request warm-up; ` +
        `${fmtInt(rss.series)} series held, ${fmtInt(rss.overflowed ?? 0)} overflowed, ` +
        `${fmtInt(rss.droppedLines ?? 0)} lines dropped. Each reading follows a full garbage collection.`,
      '',
      mdTable(
        ['Requests since warm-up', 'RSS MB', 'heap used MB'],
        pick.map((p) => [fmtInt(p.requests), fmt(p.rss / MB, 1), fmt(p.heapUsed / MB, 1)]),
      ),
    )
  }
  if (micro) {
    parts.push(
      '',
      '## Record path micro-benchmark',
      '',
      'One process on the server core; CPU time (user + system) per operation including the ' +
        'final flush/drain that puts everything on the wire, median over repetitions in random ' +
        'order; the sync column is the loop alone.',
      '',
      microTable(micro),
    )
  }
  if (skipped.length || failures.length) {
    parts.push('', '## Not measured', '')
    for (const s of skipped) parts.push(`- ${s.id}: skipped, ${s.reason}`)
    for (const f of failures) {
      parts.push(
        `- ${f.id}${f.routes ? ` @ ${f.routes} routes` : ''}: failed, ${f.error.split('\n')[0]}`,
      )
    }
  }
  return parts.join('\n')
}

export function renderSoak(meta, soak) {
  const label = VARIANTS.find((v) => v.id === soak.variant)?.label ?? soak.variant
  const first = soak.points[0]
  const last = soak.points.at(-1)
  const peak = max(soak.points.map((p) => p.rss))
  const lost = soak.served - soak.counterSum
  return [
    '# routemeter soak',
    '',
    `Date: ${meta.date}  `,
    `Command: \`${meta.command}\`  `,
    `Machine: ${meta.machine.cpu}, ${meta.machine.cores} cores; Node ${meta.versions.node}  `,
    `Pinning: ${meta.pinning}`,
    '',
    `${label}, ${fmtInt(soak.routes)} routes hit round robin, ${soak.minutes} min of continuous ` +
      `autocannon load (${meta.settings.connections} connections), RSS read every ${soak.chunkSeconds} s.`,
    '',
    `- requests served: ${fmtInt(soak.served)}; client errors: ${fmtInt(soak.errors)}`,
    `- RSS: ${fmt(first.rss / MB, 1)} MB after warm-up → ${fmt(last.rss / MB, 1)} MB at the end ` +
      `(peak ${fmt(peak / MB, 1)} MB, growth ${fmt((last.rss - first.rss) / MB, 1)} MB)`,
    `- sink: ${fmtInt(soak.counterSum)}/${fmtInt(soak.served)} counts, ${fmtInt(soak.samples)}/` +
      `${fmtInt(soak.served)} samples (${lost === 0 && soak.samples === soak.served ? 'zero lost' : `${fmtInt(lost)} counts missing`})`,
    `- meter: ${fmtInt(soak.stats?.series)} series, ${fmtInt(soak.stats?.droppedLines)} lines dropped, ` +
      `${fmtInt(soak.stats?.overflowed)} overflowed`,
    '',
    mdTable(
      ['Seconds', 'Requests', 'RSS MB', 'heap used MB'],
      soak.points.map((p) => [
        fmtInt(p.seconds),
        fmtInt(p.served),
        fmt(p.rss / MB, 1),
        fmt(p.heapUsed / MB, 1),
      ]),
    ),
  ].join('\n')
}
