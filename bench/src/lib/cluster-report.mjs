// The cluster section of the report (src/cluster.mjs): one column per way of serving a
// cluster's `/metrics`, and the budget lines it adds.
import { fmt, fmtInt, mdTable, quantile } from './stats.mjs'

const LABELS = {
  routemeter: 'routemeter: workers forward, primary aggregates',
  'prom-client': "prom-client's AggregatorRegistry: primary asks every worker",
}
const MB = 2 ** 20

function latency(scrapes) {
  const ms = scrapes.map((s) => s.ms)
  return `${fmtInt(quantile(ms, 0.5))} / ${fmtInt(quantile(ms, 0.99))}`
}

function failed(scrapes) {
  const bad = scrapes.filter((s) => s.failed)
  if (bad.length === 0) return `0 of ${scrapes.length}`
  return `${bad.length} of ${scrapes.length} (${firstLine(bad[0].error)})`
}

function firstLine(text = '') {
  return String(text).split('\n')[0].trim()
}

/** `counted / served` of one scrape, or why there is no count. */
function counted(point) {
  if (point.failed)
    return `scrape failed (${firstLine(point.error)}); ${fmtInt(point.served)} served`
  return `${fmtInt(point.total)} / ${fmtInt(point.served)}`
}

function sizeOf(r) {
  const ok = [r.settled, ...r.idle.scrapes, ...r.loaded.scrapes].find((s) => !s.failed)
  return ok ? `${fmtInt(ok.series)} series, ${fmt(ok.bytes / MB, 1)} MB` : '– (no scrape answered)'
}

export function clusterTable(cluster) {
  const rs = cluster.results
  const row = (what, cell) => [what, ...rs.map(cell)]
  return mdTable(
    ['', ...rs.map((r) => LABELS[r.variant] ?? r.variant)],
    [
      row('start-up of the cluster, s (not measured work: route registration, priming)', (r) =>
        fmt(r.startMs / 1000, 1),
      ),
      row('exposition (counter `http_server_requests_total`)', sizeOf),
      row('settled: counted / served', (r) => counted(r.settled)),
      row('idle: scrape ms p50 / p99', (r) => latency(r.idle.scrapes)),
      row('idle: scrapes failed', (r) => failed(r.idle.scrapes)),
      row(
        'idle: CPU ms per scrape, primary + workers (net of an idle window)',
        (r) =>
          `${fmt((r.idle.primaryUsPerScrape + r.idle.workersUsPerScrape) / 1000, 1)} ` +
          `(${fmt(r.idle.primaryUsPerScrape / 1000, 1)} + ${fmt(r.idle.workersUsPerScrape / 1000, 1)})`,
      ),
      row('under load: scrape ms p50 / p99', (r) => latency(r.loaded.scrapes)),
      row('under load: scrapes failed', (r) => failed(r.loaded.scrapes)),
      row("under load: primary's CPU ms per scrape (ingest included)", (r) =>
        fmt(r.loaded.primaryUsPerScrape / 1000, 1),
      ),
      row('before the kill (load stopped, flushed): counted / served', (r) =>
        counted(r.restart.before),
      ),
      row('killed worker had served', (r) => fmtInt(r.restart.killedServed)),
      row('after restart + more requests: counted / served', (r) => counted(r.restart.after)),
    ],
  )
}

/** Budget lines: routemeter's scrapes never fail and its totals survive a SIGKILL. */
export function clusterBudget(cluster, add) {
  const find = (v) => cluster.results.find((r) => r.variant === v)
  const rm = find('routemeter')
  const pc = find('prom-client')
  if (!rm) {
    add('NOT RUN', 'cluster: routemeter scrapes never fail; totals survive a worker SIGKILL')
    return
  }
  const all = [
    rm.settled,
    ...rm.idle.scrapes,
    ...rm.loaded.scrapes,
    rm.restart.before,
    rm.restart.after,
  ]
  const bad = all.filter((s) => s.failed).length
  add(
    bad === 0 ? 'PASS' : 'MISS',
    `cluster (${cluster.workers} workers × ${fmtInt(cluster.routes)} series), routemeter: ` +
      `${bad} of ${all.length} scrapes failed; under load p50/p99 ${latency(rm.loaded.scrapes)} ms` +
      (pc
        ? ` (AggregatorRegistry: ${pc.loaded.scrapes.filter((s) => s.failed).length} of ` +
          `${pc.loaded.scrapes.length} failed, p50/p99 ${latency(pc.loaded.scrapes)} ms)`
        : '') +
      ' — a scrape never waits on a worker',
  )
  const { before, after, killedServed } = rm.restart
  const exact = !after.failed && after.total === after.served
  const monotone = !after.failed && !before.failed && after.total >= before.total
  add(
    exact && monotone ? 'PASS' : 'MISS',
    `cluster, routemeter after a worker SIGKILL and its replacement: counted ${fmtInt(after.total)}, ` +
      `served ${fmtInt(after.served)} (the killed worker's ${fmtInt(killedServed)} included; ` +
      `${fmtInt(before.total)} before the kill) — never goes down, equals what was served`,
  )
  if (pc) {
    const a = pc.restart.after
    add(
      'INFO',
      a.failed
        ? `cluster, AggregatorRegistry after the same restart: scrape failed (${firstLine(a.error)})`
        : `cluster, AggregatorRegistry after the same restart: counted ${fmtInt(a.total)} of ` +
            `${fmtInt(a.served)} served (${fmtInt(a.served - a.total)} missing; the killed ` +
            `worker had served ${fmtInt(pc.restart.killedServed)})`,
    )
  }
}

export const CLUSTER_METHOD = (cluster) =>
  `A \`node:cluster\` primary and ${cluster.workers} workers, all pinned to the server core ` +
  `(the load generator and the scraper on the other), each worker a Fastify app with ` +
  `${fmtInt(cluster.routes)} route templates \`/s<i>/items/:id\`, each hit once at start-up ` +
  `(\`inject\`), so every worker holds ${fmtInt(cluster.routes)} request series (a counter and a ` +
  `10-bucket histogram each, the same names, labels and buckets in both columns). Variants run ` +
  `one after the other in random order. Scrapes are HTTP GETs from the other core on a fresh ` +
  `connection, one after another (${cluster.scrapeGapMs} ms apart under load), failed when not ` +
  `200 within 10 s (Prometheus' default scrape_timeout; AggregatorRegistry gives up after 5 s ` +
  `itself); at most ${cluster.idleScrapes} idle and ${cluster.loadScrapes} loaded scrapes, ` +
  `each phase cut at ${cluster.phaseSeconds} s. Idle CPU per scrape is what the primary and ` +
  `the workers spent over the scrapes (process.cpuUsage), less what they spend over an equal ` +
  `window without scrapes (routemeter's workers still flush every second). Under load the ` +
  `primary's whole CPU is divided by the scrapes (for routemeter it includes ingesting every ` +
  `worker's changes each second). Restart: load stopped, one flush interval (1 s) and a half ` +
  `waited, one worker SIGKILLed and a new one forked (it primes its routes too), ` +
  `${fmtInt(cluster.afterRestart)} more requests, the same wait, a scrape. "Served" counts ` +
  `handler runs in every worker, the killed one's included.`
