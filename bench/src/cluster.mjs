// The cluster section, orchestrator side: for each variant (routemeter's aggregator, prom-client's
// AggregatorRegistry) in random order, a primary (src/cluster-scrape.mjs) with `workers` workers
// of `routes` request series each, on the server core; scrapes and load from this core.
//   1. settled: one scrape once every worker's start-up is in; its count against the requests
//      served (the priming requests)
//   2. idle: CPU of all processes (primary + workers) over `idleScrapes` back-to-back scrapes,
//      less what the same processes spend over an equal idle window without scrapes
//   3. under load: `loadScrapes` scrapes, one after another `scrapeGapMs` apart (Prometheus never
//      overlaps scrapes of one target), while autocannon keeps the workers busy: latency,
//      failures (no answer in 10 s — Prometheus' default scrape_timeout — or not 200), the
//      primary's CPU per scrape
//   Phases 2 and 3 stop early after `phaseSeconds`, so a variant whose scrapes time out does not
//   stretch the run: the report gives how many scrapes were taken.
//   4. restart: load stopped and one flush interval gone, one worker SIGKILLed and replaced,
//      `afterRestart` more requests, one flush interval, a scrape: its count against the requests
//      served (the killed worker's included)
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { pin, startWorker } from './lib/ipc.mjs'
import { scrape, sumSamples } from './lib/scrape.mjs'
import { median, shuffle, sleep } from './lib/stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
export const CLUSTER_VARIANTS = ['routemeter', 'prom-client']
/** Both variants expose a counter of this name, with the same labels. */
const COUNT_SAMPLE = 'http_server_requests_total'
/** routemeter's default flushIntervalMs: how long a worker's changes may take to reach the primary. */
const FLUSH_INTERVAL_MS = 1000
const SCRAPE_TIMEOUT_MS = 10_000

/** A scrape and what it counted; `failed` when it did not answer 200 in time. */
async function countedScrape(port) {
  const res = await scrape(port, '/metrics', SCRAPE_TIMEOUT_MS)
  const ok = res.status === 200
  return {
    ms: res.ms,
    failed: !ok,
    error: ok ? undefined : (res.error ?? `status ${res.status}: ${res.body?.slice(0, 200)}`),
    bytes: res.body?.length ?? 0,
    ...(ok ? sumSamples(res.body, COUNT_SAMPLE) : { total: undefined, series: undefined }),
  }
}

/** CPU µs of the primary and of all workers together. */
async function cpuNow(primary) {
  return primary.call('cpu')
}

function cpuDelta(end, begin) {
  return {
    primaryUs: end.primaryUs - begin.primaryUs,
    workersUs: end.workersUs - begin.workersUs,
  }
}

async function settle() {
  // One full interval for every worker's flush to fire, and half more for it to arrive.
  await sleep(FLUSH_INTERVAL_MS * 1.5)
}

async function runVariant(ctx, variant, cfg, core, log) {
  // Started on both cores (registering 5 000 routes per worker and priming them is not what is
  // measured), then the primary and every worker pinned to the server core; a worker forked
  // later (the restart) inherits the primary's affinity.
  const primary = startWorker(`cluster-${variant}`, join(here, 'cluster-scrape.mjs'))
  await primary.ready()
  try {
    const started = await primary.call(
      'start',
      { variant, workers: cfg.workers, routes: cfg.routes },
      600_000,
    )
    for (const pid of [primary.child.pid, ...started.pids]) pin(pid, core)
    log(`cluster ${variant}: ${cfg.workers} workers up in ${(started.startMs / 1000).toFixed(1)} s`)
    const { appPort, metricsPort } = started
    const out = { variant, startMs: started.startMs }

    await settle()
    out.settled = { ...(await countedScrape(metricsPort)), ...(await primary.call('served')) }

    // Idle: what a scrape costs every process, net of what they spend anyway.
    const base0 = await cpuNow(primary)
    const t0 = performance.now()
    const idleWindow = []
    while (idleWindow.length < cfg.idleScrapes && performance.now() - t0 < cfg.phaseSeconds * 1000)
      idleWindow.push(await countedScrape(metricsPort))
    const scrapeWallMs = performance.now() - t0
    const scrapeCpu = cpuDelta(await cpuNow(primary), base0)
    const quiet0 = await cpuNow(primary)
    const q0 = performance.now()
    await sleep(scrapeWallMs)
    const quietWallMs = performance.now() - q0
    const quietCpu = cpuDelta(await cpuNow(primary), quiet0)
    const scale = scrapeWallMs / quietWallMs
    out.idle = {
      scrapes: idleWindow,
      wallMs: scrapeWallMs,
      primaryUsPerScrape: (scrapeCpu.primaryUs - quietCpu.primaryUs * scale) / idleWindow.length,
      workersUsPerScrape: (scrapeCpu.workersUs - quietCpu.workersUs * scale) / idleWindow.length,
    }

    // Under load: scrapes while autocannon keeps every worker busy, load restarted until done.
    const loaded = []
    const load0 = await cpuNow(primary)
    const l0 = performance.now()
    let clientErrors = 0
    const loadedEnough = () =>
      loaded.length >= cfg.loadScrapes || performance.now() - l0 >= cfg.phaseSeconds * 1000
    while (!loadedEnough()) {
      let loadDone = false
      const load = ctx.loader
        .call(
          'run',
          { port: appPort, duration: cfg.loadSeconds, routes: cfg.routes, connections: 50 },
          cfg.loadSeconds * 1000 + 60_000,
        )
        .finally(() => {
          loadDone = true
        })
      // Let the load reach every worker before the first scrape of each stretch.
      await sleep(300)
      while (!loadDone && !loadedEnough()) {
        loaded.push(await countedScrape(metricsPort))
        await sleep(cfg.scrapeGapMs)
      }
      const res = await load
      clientErrors += res.errors + res.timeouts + res.non2xx
    }
    const loadCpu = cpuDelta(await cpuNow(primary), load0)
    out.loaded = {
      scrapes: loaded,
      wallMs: performance.now() - l0,
      primaryUsPerScrape: loadCpu.primaryUs / loaded.length,
      workersUs: loadCpu.workersUs,
      clientErrors,
    }

    // Restart: everything flushed, one worker killed and replaced, more requests, a scrape.
    await settle()
    const before = { ...(await countedScrape(metricsPort)), ...(await primary.call('served')) }
    const { killedServed } = await primary.call('restart', {}, 600_000)
    const more = await ctx.loader.call(
      'run',
      { port: appPort, amount: cfg.afterRestart, routes: cfg.routes, connections: 50 },
      600_000,
    )
    await settle()
    const after = { ...(await countedScrape(metricsPort)), ...(await primary.call('served')) }
    out.restart = {
      before,
      after,
      killedServed,
      clientErrors: more.errors + more.timeouts + more.non2xx,
    }
    log(
      `cluster ${variant}: scrapes p50 ${median(loaded.map((s) => s.ms)).toFixed(0)} ms under load, ` +
        `${loaded.filter((s) => s.failed).length} failed; after restart ${after.total} counted, ${after.served} served`,
    )
    return out
  } finally {
    await primary.close(30_000)
  }
}

/** Runs every variant once, in random order; a variant that fails is reported, not fatal. */
export async function clusterSection(ctx, cfg, core, log) {
  const results = []
  for (const variant of shuffle(CLUSTER_VARIANTS)) {
    try {
      results.push(await runVariant(ctx, variant, cfg, core, log))
    } catch (err) {
      log(`cluster ${variant} failed: ${err.message}`)
      ctx.failures.push({ id: `cluster-${variant}`, routes: cfg.routes, error: err.message })
    }
  }
  return { ...cfg, results }
}
