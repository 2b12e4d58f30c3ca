// `pnpm bench`: routemeter's overhead against a bare app and against peers, measured side by
// side. Every variant is its own server process pinned to one core; autocannon runs in another
// process on the other core, next to a real UDP StatsD sink. The main matrix and the scale section
// measure servers in pairs loaded at once (paired.mjs), each round a random ring of the servers
// compared, and fit one cost per server to every pair's CPU ratio (lib/pair-fit.mjs).
//
//   node src/run.mjs [--quick] [--filter <text>]... [--rounds <n>] [--generations <n>]
//                    [--soak [--soak-minutes <n>]]
//                    [--skip-scale] [--skip-startup] [--skip-flush] [--skip-rss] [--skip-micro]
//                    [--scale-only] [--skip-cluster] [--cluster-only]
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { clusterSection } from './cluster.mjs'
import { machine, versions } from './lib/env-info.mjs'
import { canPin, pinSelf, startWorker } from './lib/ipc.mjs'
import { renderReport, renderSoak } from './lib/report.mjs'
import { scrape, sumSamples } from './lib/scrape.mjs'
import { delta, settleSink } from './lib/sink-wait.mjs'
import { shuffle } from './lib/stats.mjs'
import { pairedRounds } from './paired.mjs'
import { VARIANTS, variantById } from './variants/index.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const benchDir = join(here, '..')
const SERVER_CORE = 0
const LOAD_CORE = 1
/** A burst during which other processes used more than this many cores is disturbed. */
const FOREIGN_LIMIT = 0.15

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string' },
    filter: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    generations: { type: 'string' },
    'skip-scale': { type: 'boolean', default: false },
    'skip-startup': { type: 'boolean', default: false },
    'skip-flush': { type: 'boolean', default: false },
    'scale-only': { type: 'boolean', default: false },
    'skip-rss': { type: 'boolean', default: false },
    'skip-micro': { type: 'boolean', default: false },
    'skip-cluster': { type: 'boolean', default: false },
    'cluster-only': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  console.log(`usage: pnpm bench [--quick] [--filter <text>]... [--rounds <n>] [--generations <n>]
                  [--skip-scale] [--skip-startup] [--skip-flush] [--skip-rss] [--skip-micro]
                  [--scale-only] [--skip-cluster] [--cluster-only] [--out <file>]
       pnpm bench --soak [--soak-minutes <n>]

variants: ${VARIANTS.map((v) => v.id).join(', ')}`)
  process.exit(0)
}

/**
 * Burst sizes per mode. Fastify serves ~5x more requests per second than Express here; Koa and
 * Hono (on @hono/node-server) sit in between, so their bursts are sized to last about as long.
 */
const SETTINGS = flags.quick
  ? {
      mode: 'quick',
      rounds: 5,
      generations: 1,
      attempts: 1,
      connections: 50,
      // Servers keep getting faster for their first ~100 000 Fastify / ~20 000 Express
      // requests (JIT tiers, GC sizing); the full run warms that far, quick mode less (its A/A
      // control row shows what that costs in precision).
      firstWarmup: { fastify: 20_000, express: 4000, koa: 10_000, hono: 10_000 },
      // Each paired window (see paired.mjs), in milliseconds; Express serves the fewest
      // requests per second, so its windows are longer.
      windowMs: { fastify: 600, express: 900, koa: 600, hono: 600 },
      warmRounds: 0,
      scale: {
        rounds: 3,
        routes: [10, 1000, 10000],
        firstWarmup: 10_000,
        variants: ['fastify-bare', 'fastify-routemeter-tags'],
        startupRounds: 3,
      },
      rss: { routes: 1000, warmup: 20_000, requests: 100_000, chunk: 50_000 },
      cluster: {
        workers: 4,
        routes: 5000,
        idleScrapes: 5,
        loadScrapes: 20,
        phaseSeconds: 15,
        scrapeGapMs: 100,
        loadSeconds: 3,
        afterRestart: 10_000,
      },
    }
  : {
      mode: 'full',
      // Paired windows agree within a few per cent round to round, but two processes of the
      // same app still differ by a few per cent for their whole life (a quick run's Koa A/A
      // control: 1.040–1.092 over its rounds, one process each), so the rounds are spread over
      // as many sets of fresh processes as the run's length allows (see mainMatrix).
      rounds: 8,
      generations: 4,
      attempts: 3,
      connections: 50,
      firstWarmup: { fastify: 100_000, express: 20_000, koa: 50_000, hono: 50_000 },
      windowMs: { fastify: 800, express: 1200, koa: 800, hono: 800 },
      warmRounds: 1,
      scale: {
        rounds: 5,
        routes: [10, 1000, 10000],
        firstWarmup: 40_000,
        variants: ['fastify-bare', 'fastify-routemeter-tags', 'fastify-routemeter-path'],
        startupRounds: 5,
      },
      rss: { routes: 1000, warmup: 20_000, requests: 1_000_000, chunk: 100_000 },
      cluster: {
        workers: 4,
        routes: 5000,
        idleScrapes: 10,
        loadScrapes: 50,
        phaseSeconds: 30,
        scrapeGapMs: 100,
        loadSeconds: 5,
        afterRestart: 20_000,
      },
    }
if (flags.rounds) SETTINGS.rounds = Math.max(1, Number(flags.rounds))
if (flags.generations) SETTINGS.generations = Math.max(1, Number(flags.generations))

const log = (...args) => console.error('[bench]', ...args)
const startedAt = Date.now()
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(0)}s`

async function routemeterAvailability() {
  const out = {}
  for (const pkg of [
    '@routemeter/core',
    '@routemeter/fastify',
    '@routemeter/express',
    '@routemeter/koa',
    '@routemeter/hono',
  ]) {
    try {
      await import(pkg)
      out[pkg] = true
    } catch (err) {
      out[pkg] = String(err?.message ?? err).split('\n')[0]
    }
  }
  return out
}

function needs(variant) {
  const pkgs = []
  if (variant.kind === 'routemeter' || variant.kind === 'diagnostic') {
    pkgs.push('@routemeter/core', `@routemeter/${variant.framework}`)
  }
  return pkgs
}

async function startServer(ctx, variant, routes = 0, { pinAtStart = false } = {}) {
  const name = routes ? `${variant.id}@${routes}` : variant.id
  const { port: sinkPort } = await ctx.sink.call('open')
  const worker = startWorker(
    name,
    join(here, 'server.mjs'),
    [JSON.stringify({ variant: variant.id, sinkPort, routes })],
    // V8's memory reducer shrinks the heap of a process that goes idle, which then costs
    // several times more per request for its first second of load (see paired.mjs): a state a
    // loaded server never reaches, and one the bench's waiting servers would be measured in.
    { core: SERVER_CORE, pinAtStart, execArgv: ['--no-memory-reducer'] },
  )
  const info = await worker.ready()
  worker.port = info.port
  worker.startup = info.startup
  worker.sinkPort = sinkPort
  worker.variant = variant
  worker.routes = routes
  return worker
}

/** Starts servers in parallel; a variant that fails to start is reported, not fatal. */
async function startServers(ctx, specs) {
  const started = await Promise.allSettled(
    specs.map(({ variant, routes }) => startServer(ctx, variant, routes)),
  )
  const servers = []
  started.forEach((res, i) => {
    const { variant, routes } = specs[i]
    if (res.status === 'fulfilled') servers.push(res.value)
    else {
      ctx.failures.push({
        id: variant.id,
        routes,
        error: String(res.reason?.message ?? res.reason),
      })
      log(`could not start ${variant.id}${routes ? `@${routes}` : ''}: ${res.reason?.message}`)
    }
  })
  return servers
}

async function warmUp(ctx, servers, amountFor) {
  for (const server of servers) {
    try {
      await ctx.loader.call('run', {
        port: server.port,
        amount: amountFor(server),
        routes: server.routes,
        connections: SETTINGS.connections,
      })
    } catch (err) {
      log(`warm-up of ${server.name} failed: ${err.message}`)
    }
  }
}

async function stopServer(ctx, server) {
  if (server.variant.emits === 'statsd') {
    try {
      const final = await server.call('finish')
      const sunk = await settleSink(ctx.sink, server.sinkPort)
      // Every request the server handled, warm-ups included, against all the sink got from it.
      const life = {
        served: final.totalServed,
        counterGot: sunk.total.counterSum,
        samplesGot: sunk.total.samples,
        badLines: sunk.total.badLines,
        linesGot: sunk.total.lines,
        datagramsGot: sunk.total.packets,
        bytesGot: sunk.total.bytes,
      }
      if (typeof final.stats?.lines === 'number') {
        Object.assign(life, {
          linesSent: final.stats.lines,
          datagramsSent: final.stats.datagrams,
          droppedLines: final.stats.droppedLines,
        })
      }
      ctx.lifetime.set(server, life)
    } catch (err) {
      log(`${server.name}: final flush failed: ${err.message}`)
    }
  }
  await server.close()
  await ctx.sink.call('release', { port: server.sinkPort }).catch(() => {})
}

async function closeAll(ctx, servers) {
  await Promise.all(servers.map((s) => stopServer(ctx, s)))
}

function selectVariants(available, skipped) {
  const filters = flags.filter ?? []
  const wanted = VARIANTS.filter((v) =>
    filters.length === 0
      ? v.kind !== 'diagnostic' && (!v.fullOnly || SETTINGS.mode === 'full')
      : filters.some((f) => v.id.includes(f)),
  )
  // A framework's bare app is always measured when any of its variants is: ratios need it.
  const frameworks = new Set(wanted.map((v) => v.framework))
  const chosen = VARIANTS.filter(
    (v) => wanted.includes(v) || (v.kind === 'bare' && frameworks.has(v.framework)),
  )
  return chosen.filter((v) => {
    const missing = needs(v).filter((p) => available[p] !== true)
    if (missing.length) skipped.push({ id: v.id, reason: `${missing.join(', ')} not built` })
    return missing.length === 0
  })
}

/**
 * The main matrix. Two processes of the same app differ by up to ~10 % for their whole life on
 * this VM (an A/A control landed at 0.87 with every round below 1 in a 16-round run), so the
 * rounds are split over `generations` sets of fresh processes: each ratio is then a median over
 * rounds of several processes per variant, not of one.
 */
async function mainMatrix(ctx, firstServers) {
  const generations = Math.max(1, Math.min(SETTINGS.generations, SETTINGS.rounds))
  const out = {}
  const lifetime = {}
  const scrapes = {}
  let servers = firstServers
  let roundsDone = 0
  for (let generation = 0; generation < generations; generation++) {
    if (generation > 0) {
      const specs = firstServers.map((s) => ({ variant: s.variant, routes: 0 }))
      log(`fresh processes (${generation + 1}/${generations}): starting ${specs.length} servers`)
      servers = await startServers(ctx, specs)
    }
    const rounds = Math.round((SETTINGS.rounds * (generation + 1)) / generations) - roundsDone
    await warmUp(ctx, servers, (s) => SETTINGS.firstWarmup[s.variant.framework])
    log(`servers warm (${elapsed()}); ${rounds} rounds`)
    const groups = []
    for (const ref of servers.filter((s) => s.variant.kind === 'bare')) {
      const others = servers.filter(
        (s) => s.variant.framework === ref.variant.framework && s !== ref,
      )
      groups.push({ ref, others })
    }
    const records = await pairedRounds(
      ctx,
      groups,
      rounds,
      (ref) => ({
        windowMs: SETTINGS.windowMs[ref.variant.framework],
        connections: SETTINGS.connections,
      }),
      {
        label: generations > 1 ? `main, processes ${generation + 1}/${generations}` : 'main',
        firstRound: roundsDone,
        warmRounds: SETTINGS.warmRounds,
        log: (msg) => log(`${msg} (${elapsed()})`),
        attempts: SETTINGS.attempts,
        foreignLimit: FOREIGN_LIMIT,
      },
    )
    // Checks read at the last window's end raced its load's tail: read again now it is over.
    for (const [server, recs] of records) {
      const last = recs.at(-1)
      if (last !== undefined && server.variant.emits === 'prometheus')
        Object.assign(last, await server.call('verify'))
    }
    // Every set of processes is checked; a failed check is kept over a later passing one.
    for (const [id, check] of Object.entries(await scrapeChecks(servers, records))) {
      const kept = scrapes[id]
      if (kept === undefined || kept.total === kept.served) scrapes[id] = check
    }
    await closeAll(ctx, servers)
    for (const [server, recs] of records) {
      const id = server.variant.id
      out[id] = [...(out[id] ?? []), ...recs]
      lifetime[id] = addLifetimes(lifetime[id], ctx.lifetime.get(server))
    }
    roundsDone += rounds
  }
  return { main: out, lifetime, scrapes }
}

/** Lines and datagrams sent and received over the lives of a variant's processes. */
function addLifetimes(a, b) {
  if (a === undefined || b === undefined) return a ?? b
  const sum = {}
  for (const key of Object.keys(b)) sum[key] = (a[key] ?? 0) + (b[key] ?? 0)
  return sum
}

async function scrapeChecks(servers, records) {
  const out = {}
  for (const server of servers) {
    const spec = server.variant.scrape
    const last = records.get(server)?.at(-1)
    if (!spec || !last) continue
    const res = await scrape(server.port, spec.path)
    out[server.variant.id] = {
      path: spec.path,
      sample: `${spec.histogram}_count`,
      served: last.totalServed,
      status: res.status,
      error: res.error,
      ms: res.ms,
      bytes: res.body?.length,
      ...(res.status === 200 ? sumSamples(res.body, `${spec.histogram}_count`) : {}),
    }
  }
  return out
}

function scaleSpecs(available) {
  const cfg = SETTINGS.scale
  const variants = cfg.variants
    .map((id) => variantById(id))
    .filter((v) => needs(v).every((p) => available[p] === true))
  if (!variants.some((v) => v.kind === 'routemeter')) return []
  const specs = []
  for (const routes of cfg.routes) for (const variant of variants) specs.push({ variant, routes })
  return specs
}

async function scaleRuns(ctx, servers) {
  const cfg = SETTINGS.scale
  // Every route is hit at least twice before measuring, so every series already exists.
  await warmUp(ctx, servers, (s) => Math.max(2 * s.routes, cfg.firstWarmup))
  // One ring of every variant at every route count, the bare app at the fewest routes its
  // reference: the fit over all windows then ties each variant both to the bare app at its own
  // route count (what routemeter adds) and to itself at the fewest routes (how its cost grows).
  const fewest = Math.min(...servers.map((s) => s.routes))
  const ref = servers.find((s) => s.variant.kind === 'bare' && s.routes === fewest)
  const records = ref
    ? await pairedRounds(
        ctx,
        [{ ref, others: servers.filter((s) => s !== ref) }],
        cfg.rounds,
        () => ({ windowMs: SETTINGS.windowMs.fastify, connections: SETTINGS.connections }),
        {
          label: 'scale',
          warmRounds: SETTINGS.warmRounds,
          log: (msg) => log(`${msg} (${elapsed()})`),
          attempts: SETTINGS.attempts,
          foreignLimit: FOREIGN_LIMIT,
        },
      )
    : new Map()
  await closeAll(ctx, servers)
  return [...records].map(([server, recs]) => ({
    id: server.variant.id,
    routes: server.routes,
    records: recs,
    lifetime: ctx.lifetime.get(server),
  }))
}

/**
 * Start-up of the scale apps, one server at a time on a quiet machine (every other server is
 * closed by then), pinned to the server core from spawn. Each reports its own CPU and wall time
 * from `Fastify()` to `ready()` and to listening (plugin import and route registration
 * included); each round starts every variant once per route count, in random order, and the
 * report takes ratios to the bare app of the same round.
 */
async function startupRuns(ctx, variants, routeCounts, rounds) {
  const out = []
  for (let round = 0; round < rounds; round++) {
    for (const routes of routeCounts) {
      for (const variant of shuffle(variants)) {
        let server
        try {
          server = await startServer(ctx, variant, routes, { pinAtStart: true })
          out.push({ id: variant.id, routes, round, ...server.startup })
        } catch (err) {
          log(`start-up of ${variant.id}@${routes} failed: ${err.message}`)
          ctx.failures.push({ id: variant.id, routes, error: `start-up: ${err.message}` })
        }
        if (server) {
          await server.close()
          await ctx.sink.call('release', { port: server.sinkPort }).catch(() => {})
        }
      }
    }
    log(`start-up: round ${round + 1}/${rounds} done (${elapsed()})`)
  }
  return out
}

/** Event-loop delay while 20 000 live series are flushed (src/flush-delay.mjs), on the server core. */
async function flushDelayRun(ctx) {
  const worker = startWorker('flush-delay', join(here, 'flush-delay.mjs'), [], {
    core: SERVER_CORE,
  })
  await worker.ready()
  log('flush of 20 000 live series: event-loop delay')
  const { port } = await ctx.sink.call('open')
  try {
    return await worker.call('run', { port, quick: SETTINGS.mode === 'quick' }, 600_000)
  } finally {
    await worker.close()
    await ctx.sink.call('release', { port }).catch(() => {})
  }
}

/** RSS growth of a routemeter server over many requests spread over many routes. */
async function rssRun(ctx, variantId, cfg) {
  const variant = variantById(variantId)
  const [server] = await startServers(ctx, [{ variant, routes: cfg.routes }])
  if (!server) return undefined
  const run = (amount) =>
    ctx.loader.call(
      'run',
      { port: server.port, amount, routes: cfg.routes, connections: SETTINGS.connections },
      600_000,
    )
  log(`rss: ${cfg.requests.toLocaleString('en-US')} requests over ${cfg.routes} routes`)
  await run(cfg.warmup)
  await server.call('flush')
  await settleSink(ctx.sink, server.sinkPort)
  await ctx.sink.call('reset', { port: server.sinkPort })
  const base = await server.call('memory')
  const points = [{ requests: 0, rss: base.rss, heapUsed: base.heapUsed }]
  let done = 0
  let errors = 0
  while (done < cfg.requests) {
    const amount = Math.min(cfg.chunk, cfg.requests - done)
    const res = await run(amount)
    errors += res.errors + res.timeouts + res.non2xx
    done += amount
    const m = await server.call('memory')
    points.push({ requests: done, rss: m.rss, heapUsed: m.heapUsed })
  }
  await server.call('flush')
  const sunk = await settleSink(ctx.sink, server.sinkPort)
  const end = await server.call('memory')
  await stopServer(ctx, server)
  const served = end.totalServed - base.totalServed
  return {
    variant: variant.id,
    routes: cfg.routes,
    requests: cfg.requests,
    served,
    errors,
    points,
    growth: end.rss - base.rss,
    heapGrowth: end.heapUsed - base.heapUsed,
    counterSum: sunk.counterSum,
    samples: sunk.samples,
    packets: sunk.packets,
    droppedLines: delta(end.stats, base.stats, 'droppedLines'),
    overflowed: end.stats?.overflowed,
    series: end.stats?.series,
  }
}

async function microRun(ctx, available) {
  const micro = startWorker('micro', join(here, 'micro.mjs'), [], { core: SERVER_CORE })
  await micro.ready()
  log('micro-benchmark of the record path')
  try {
    return await micro.call(
      'run',
      {
        port: (await ctx.sink.call('open')).port,
        quick: SETTINGS.mode === 'quick',
        hasRoutemeter: available['@routemeter/core'] === true,
      },
      600_000,
    )
  } finally {
    await micro.close()
  }
}

function commandLine() {
  const args = process.argv.slice(2).join(' ')
  const viaPnpm = process.env.npm_lifecycle_event === 'bench'
  return `${viaPnpm ? 'pnpm bench' : 'node bench/src/run.mjs'}${args ? ` ${args}` : ''}`
}

async function soak(ctx, available) {
  const minutes = Number(flags['soak-minutes'] ?? 5)
  const variant = variantById('fastify-routemeter-tags')
  if (!needs(variant).every((p) => available[p] === true)) {
    throw new Error('soak needs @routemeter/core and @routemeter/fastify built (pnpm build)')
  }
  const routes = 1000
  const [server] = await startServers(ctx, [{ variant, routes }])
  if (!server) throw new Error(`soak server failed: ${ctx.failures.at(-1)?.error}`)
  const connections = SETTINGS.connections
  await ctx.loader.call('run', { port: server.port, amount: 20_000, routes, connections })
  await server.call('flush')
  await settleSink(ctx.sink, server.sinkPort)
  await ctx.sink.call('reset', { port: server.sinkPort })
  const base = await server.call('memory')
  const points = [{ seconds: 0, ...base, served: 0 }]
  const chunkSeconds = 15
  const chunks = Math.max(1, Math.round((minutes * 60) / chunkSeconds))
  log(`soak: ${minutes} min over ${routes} routes, RSS every ${chunkSeconds} s`)
  let errors = 0
  for (let i = 1; i <= chunks; i++) {
    const res = await ctx.loader.call(
      'run',
      { port: server.port, duration: chunkSeconds, routes, connections },
      chunkSeconds * 1000 + 60_000,
    )
    errors += res.errors + res.timeouts + res.non2xx
    const m = await server.call('memory')
    points.push({ seconds: i * chunkSeconds, ...m, served: m.totalServed - base.totalServed })
    log(
      `soak ${i * chunkSeconds}s: rss ${(m.rss / 2 ** 20).toFixed(1)} MB, ` +
        `${points.at(-1).served.toLocaleString('en-US')} requests`,
    )
  }
  await server.call('flush')
  const sunk = await settleSink(ctx.sink, server.sinkPort)
  const end = await server.call('memory')
  await stopServer(ctx, server)
  return {
    variant: variant.id,
    routes,
    minutes,
    chunkSeconds,
    points,
    errors,
    served: end.totalServed - base.totalServed,
    counterSum: sunk.counterSum,
    samples: sunk.samples,
    stats: end.stats,
  }
}

async function main() {
  const pinned = canPin() && pinSelf(LOAD_CORE)
  const available = await routemeterAvailability()
  const sink = startWorker('sink', join(here, 'sink.mjs'), [], { core: LOAD_CORE })
  const loader = startWorker('loader', join(here, 'loader.mjs'), [], { core: LOAD_CORE })
  await sink.ready()
  await loader.ready()
  const ctx = { sink, loader, failures: [], lifetime: new Map() }
  const probe = await sink.call('open')
  await sink.call('release', { port: probe.port })
  const meta = {
    date: new Date().toISOString(),
    command: commandLine(),
    machine: machine(benchDir),
    versions: versions(benchDir),
    pinning: pinned
      ? `taskset: each server (once started) and the micro-benchmark on core ${SERVER_CORE}; ` +
        `load generator, UDP sink and orchestrator on core ${LOAD_CORE}`
      : 'not pinned (taskset unavailable or fewer than 2 cores)',
    sinkRecvBuffer: probe.recvBufferSize,
    settings: SETTINGS,
    available,
  }

  try {
    if (flags.soak) {
      const result = await soak(ctx, available)
      const md = renderSoak(meta, result)
      console.log(md)
      const out = flags.out ?? join(benchDir, 'SOAK.md')
      writeFileSync(out, `${md}\n`)
      log(`wrote ${out} (${elapsed()})`)
      return
    }

    const skipped = []
    const scaleOnly = flags['scale-only']
    const clusterOnly = flags['cluster-only']
    const variants = scaleOnly || clusterOnly ? [] : selectVariants(available, skipped)
    for (const s of skipped) log(`skipping ${s.id}: ${s.reason}`)
    // Every server starts up front, on both cores (this start-up is not measured; see
    // startupRuns), then each is pinned to the server core; idle servers cost nothing measurable.
    const specs = variants.map((variant) => ({ variant, routes: 0 }))
    const withScale = scaleOnly || (!flags['skip-scale'] && !flags.filter && !clusterOnly)
    const scaleVariantSpecs = withScale ? scaleSpecs(available) : []
    specs.push(...scaleVariantSpecs)
    log(`starting ${specs.length} servers`)
    const servers = await startServers(ctx, specs)
    const mainServers = servers.filter((s) => s.routes === 0)
    const { main, lifetime, scrapes } = mainServers.length
      ? await mainMatrix(ctx, mainServers)
      : { main: {}, lifetime: {}, scrapes: {} }
    const scaleServers = servers.filter((s) => s.routes > 0)
    const scale = scaleServers.length ? await scaleRuns(ctx, scaleServers) : undefined
    const startupVariants = [...new Set(scaleVariantSpecs.map((s) => s.variant))]
    const startup =
      startupVariants.length && !flags['skip-startup']
        ? await startupRuns(
            ctx,
            startupVariants,
            SETTINGS.scale.routes,
            SETTINGS.scale.startupRounds,
          )
        : undefined
    const rmCore = available['@routemeter/core'] === true
    const withCluster = clusterOnly || (!flags['skip-cluster'] && !flags.filter && !scaleOnly)
    const cluster =
      withCluster && rmCore && available['@routemeter/fastify'] === true
        ? await clusterSection(ctx, SETTINGS.cluster, SERVER_CORE, log)
        : undefined
    const flush =
      flags['skip-flush'] || (flags.filter && !scaleOnly) || clusterOnly || !rmCore
        ? undefined
        : await flushDelayRun(ctx)
    const rmFastify = rmCore && available['@routemeter/fastify'] === true
    const rss =
      flags['skip-rss'] || flags.filter || scaleOnly || clusterOnly || !rmFastify
        ? undefined
        : await rssRun(ctx, 'fastify-routemeter-tags', SETTINGS.rss)
    const micro =
      flags['skip-micro'] || scaleOnly || clusterOnly ? undefined : await microRun(ctx, available)
    meta.durationSeconds = (Date.now() - startedAt) / 1000

    // Raw records first: a report that fails to render loses no measurement.
    mkdirSync(join(benchDir, '.results'), { recursive: true })
    writeFileSync(
      join(benchDir, '.results', `${SETTINGS.mode}-raw.json`),
      `${JSON.stringify({ meta, main, lifetime, scrapes, cluster, scale, startup, flush, rss, micro, skipped, failures: ctx.failures }, null, 1)}\n`,
    )
    const md = renderReport({
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
      failures: ctx.failures,
    })
    console.log(md)
    const out = flags.out ?? join(benchDir, 'RESULTS.md')
    writeFileSync(out, `${md}\n`)
    log(`wrote ${out} (${elapsed()})`)
  } finally {
    await Promise.all([loader.close(), sink.close()])
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
  setTimeout(() => process.exit(1), 5000).unref()
})
