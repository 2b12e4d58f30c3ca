/**
 * `pnpm demo`: Etsy's statsd daemon on free loopback ports, the Fastify example (tag style)
 * and the Express example (path style, a cluster of two workers) pushing to it, ~15 s of
 * traffic, and a table of what the daemon received, read back from its Graphite output. It
 * ends by checking that the daemon's counts, summed over every worker, equal what was sent, and
 * that the Express cluster's Prometheus endpoint (PROMETHEUS_PORT: the primary's aggregator of
 * its workers' totals) shows the same requests.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import { exampleServer, startApp } from './apps.mjs'
import {
  appTables,
  bold,
  dim,
  formatTable,
  frameLines,
  green,
  liveTable,
  outputWidth,
  progressBar,
  red,
  screenRows,
  wrap,
} from './display.mjs'
import { startGraphiteListener } from './graphite-listener.mjs'
import { LoadGenerator, ROUTE_TEMPLATES } from './load.mjs'
import { claimPort } from './ports.mjs'
import { sameCounts, scrapeUntilEqual } from './prometheus-readback.mjs'
import { requestTotal, StatsdTotals, summarise } from './readback.mjs'
import { startStatsdDaemon } from './statsd-daemon.mjs'

const USAGE = `usage: npm run demo -- [options]   (or: pnpm demo -- [options])

  --duration <s>        seconds of traffic (default 15)
  --style <style>       mixed: Fastify in tag style, Express in path style (default);
                        tags or path: both apps in that style
  --workers <n>         Express cluster workers (default 2)
  --protocol <p>        udp (default) or tcp, between the apps and statsd
  --statsd-port <n>     the daemon's port (default: a free one)
  --concurrency <n>     virtual users per app (default 8)
  -h, --help`

const FLUSH_INTERVAL_MS = 1000
const out = (line = '') => process.stdout.write(`${line}\n`)
/** Prose, word-wrapped to the terminal (or 80 columns), each line painted on its own. */
const say = (text, paint = (line) => line, indent = '  ', hanging = `${indent}  `) => {
  for (const line of wrap(text, outputWidth(), indent, hanging)) out(paint(line))
}
// `pnpm demo | head` closes the pipe early: the demo still stops everything it started.
process.stdout.on('error', () => {})

const options = readOptions()
const emergency = new Set()
// Whatever happens to the demo, its children do not outlive it.
process.on('exit', () => {
  for (const kill of emergency) kill()
})

let interrupted = 0
let wake = () => {}
let live
function interrupt() {
  if (interrupted) {
    // pnpm relays the terminal's Ctrl-C to its script, so one key press can arrive two or
    // three times (SIGINT, then SIGTERM); only a later one means "stop now".
    if (Date.now() - interrupted < 1000) return
    out(red('\nstopping now'))
    process.exit(130)
  }
  interrupted = Date.now()
  live?.leave()
  out()
  say(
    'interrupted: stopping the traffic, then everything else, in order (Ctrl-C again to force)',
    dim,
    '',
  )
  wake()
}
process.on('SIGINT', interrupt)
process.on('SIGTERM', interrupt)
// Closing the terminal: its children are in their own process groups and would outlive it.
process.on('SIGHUP', interrupt)

const teardown = []

async function run() {
  out(bold('routemeter demo'))
  const totals = new StatsdTotals()
  const graphite = await startGraphiteListener((lines) => totals.addFlush(lines))
  teardown.push(() => graphite.close())

  const daemon = await startDaemon(graphite.port)
  emergency.add(daemon.kill)
  teardown.push(() => daemon.stop())
  say(
    `statsd daemon (npm statsd) on ${options.protocol} 127.0.0.1:${daemon.port}, management port ${daemon.managementPort}, ` +
      `flushing every ${FLUSH_INTERVAL_MS / 1000} s to a Graphite listener on :${graphite.port}`,
  )
  if (interrupted) return 0

  const specs = [
    {
      name: 'fastify-shop',
      framework: 'Fastify',
      package: '@routemeter/example-fastify',
      style: options.style === 'path' ? 'path' : 'tags',
      workers: 1,
    },
    {
      name: 'express-shop',
      framework: 'Express',
      package: '@routemeter/example-express',
      style: options.style === 'tags' ? 'tags' : 'path',
      workers: options.workers,
      prometheus: true,
    },
  ]
  const apps = await startApps(specs, daemon)
  if (interrupted) return finish(apps, [], totals, graphite, 0)

  const generators = apps.map(
    (app) => new LoadGenerator(app.url, { concurrency: options.concurrency }),
  )
  teardown.push(() => Promise.all(generators.map((generator) => generator.stop())))
  const started = performance.now()
  for (const generator of generators) generator.start()
  out()
  say(
    `${options.duration} s of traffic per app: products, orders, checkouts (every fifth fails: 500), ` +
      'unknown ids and paths (404), invalid orders (400), a slow report, and a few clients that give up (499)',
  )
  out()

  live = new LiveView()
  const durationMs = options.duration * 1000
  for (let tick = 1; !interrupted; tick++) {
    // One view per second, on the second: the daemon flushes once a second too.
    const wait = Math.min(tick * 1000, durationMs) - (performance.now() - started)
    await new Promise((resolve) => {
      wake = resolve
      setTimeout(resolve, Math.max(0, wait))
    })
    const elapsed = performance.now() - started
    // Timers may fire a millisecond early; the last tick ends the traffic.
    if (elapsed >= durationMs - 20 || interrupted) break
    live.render(elapsed / 1000, apps, generators, totals)
  }
  // Requests in flight are answered (or given up on) before the apps are stopped.
  await Promise.all(generators.map((generator) => generator.stop()))
  const elapsed = (performance.now() - started) / 1000
  live.leave()
  say(`traffic stopped after ${elapsed.toFixed(1)} s: ${trafficStats(generators)}`)
  return finish(apps, generators, totals, graphite, elapsed)
}

/** A free port can be taken by someone else before the daemon binds it: then try another. */
async function startDaemon(graphitePort) {
  for (let attempt = 1; ; attempt++) {
    const port = await claimPort(options.protocol, options.statsdPort)
    try {
      return await startStatsdDaemon({
        port,
        protocol: options.protocol,
        graphitePort,
        flushIntervalMs: FLUSH_INTERVAL_MS,
      })
    } catch (error) {
      const retry = options.statsdPort === 0 && attempt < 3 && error.message.includes('EADDRINUSE')
      if (!retry) throw error
    }
  }
}

/** Starts both apps pointed at the daemon; if one cannot start, the other is stopped too. */
async function startApps(specs, daemon) {
  const results = await Promise.allSettled(
    specs.map((spec) => {
      const env = {
        STATSD_HOST: '127.0.0.1',
        STATSD_PORT: String(daemon.port),
        STATSD_PROTOCOL: options.protocol,
        STATSD_NAMING: spec.style,
        STATSD_SERVICE: spec.name,
        STATSD_ENVIRONMENT: 'demo',
        STATSD_FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS),
      }
      if (spec.workers > 1) env.WORKERS = String(spec.workers)
      // 0: the app picks a free port and says which in its listening line.
      if (spec.prometheus) env.PROMETHEUS_PORT = '0'
      const server = exampleServer(spec.package)
      say(`starting ${spec.name}: node ${path.relative(process.cwd(), server)} with`)
      say(
        Object.entries(env)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
        dim,
        '    ',
      )
      return startApp({ name: spec.name, server, env }).then((app) => {
        emergency.add(app.kill)
        teardown.push(() => app.stop())
        return Object.assign(app, spec, { prefix: `applications.${spec.name}.demo` })
      })
    }),
  )
  const failure = results.find((result) => result.status === 'rejected')
  if (failure !== undefined) throw failure.reason
  const apps = results.map((result) => result.value)
  for (const app of apps) {
    const shape = app.workers > 1 ? `cluster of ${app.workers} workers` : '1 process'
    say(`${app.name} listening on ${app.url} (${app.framework}, ${styleName(app)}, ${shape})`)
    if (app.metrics !== undefined) say(`${app.name} serves Prometheus totals at ${app.metrics}`)
  }
  return apps
}

/** Stops the apps (they flush on SIGTERM), waits for the daemon's next flushes, prints the result. */
async function finish(apps, generators, totals, graphite, elapsed) {
  // An app's /metrics stops with it: read it first.
  const scrapes = generators.length === 0 ? [] : await scrapeApps(apps, generators)
  out()
  say('stopping the apps (SIGTERM: finish in-flight requests, flush metrics, exit) …', dim)
  const exits = await Promise.all(apps.map((app) => app.stop()))
  if (generators.length === 0) return 0
  // A flush that started before the last datagram was read may still be on its way: two more
  // complete flushes are sure to contain everything.
  const flushed = await graphite.waitForFlushes(2, 4 * FLUSH_INTERVAL_MS + 2000)

  out()
  say(
    `What the statsd daemon received: ${elapsed.toFixed(1)} s of traffic, ${totals.flushes} flushes to Graphite`,
    bold,
    '',
  )
  for (const app of apps) {
    const summary = summarise(totals, app, ROUTE_TEMPLATES)
    const shape = app.workers > 1 ? `cluster of ${app.workers} workers` : '1 process'
    out()
    out(`  ${bold(app.name)} ${dim(`· ${app.framework} · ${styleName(app)} · ${shape}`)}`)
    for (const line of appTables(summary, outputWidth())) out(line)
    const sample = sampleKey(totals, app)
    if (sample !== undefined) say(`a counter as statsd keeps it: ${sample}`, dim, '    ')
  }
  out()
  say(
    'latency in ms: p50/p90/p99 from the daemon’s histogram bins summed over every flush (interpolated inside a bin), ' +
      'max is the largest sample it saw (a narrow terminal drops p90, 2xx, max). errors = share of 5xx. ' +
      '4xx includes 499: clients that gave up waiting.',
    dim,
    '  ',
    '  ',
  )
  say(
    `statsd parsed ${totals.counter('statsd.metrics_received')} lines in ${totals.counter('statsd.packets_received')} packets, ` +
      `${totals.counter('statsd.bad_lines_seen')} bad lines`,
    dim,
  )
  return check(apps, generators, exits, flushed, totals, scrapes)
}

/**
 * Each app's /metrics (the Express cluster's: its primary's aggregator), scraped until it shows
 * every request sent to the app: its workers' last changes arrive with their next flush.
 */
async function scrapeApps(apps, generators) {
  const scrapes = []
  for (const [index, app] of apps.entries()) {
    if (app.metrics === undefined) continue
    const generator = generators[index]
    out()
    say(`reading ${app.name}'s /metrics until its workers' last flushes are in …`, dim)
    const timeoutMs = 3 * FLUSH_INTERVAL_MS + 2000
    const scrape = await scrapeUntilEqual(
      app.metrics,
      app.style,
      generator.byStatus,
      timeoutMs,
    ).catch((error) => ({ same: false, total: 0, byStatus: new Map(), error }))
    scrapes.push({ app, generator, ...scrape })
  }
  return scrapes
}

/** The closing check: statsd's totals, summed over every worker, against what was sent. */
function check(apps, generators, exits, flushed, totals, scrapes) {
  out()
  let ok = flushed
  const rows = []
  const details = []
  let sentAll = 0
  apps.forEach((app, index) => {
    const generator = generators[index]
    const received = requestTotal(totals, app)
    sentAll += generator.sent
    const same =
      received.total === generator.sent &&
      sameCounts(received.byStatus, generator.byStatus) &&
      generator.failed === 0
    ok &&= same
    const shares = [...generator.byWorker]
      .sort()
      .map(([id, count]) => `worker ${id} answered ${count}`)
    if (generator.aborted > 0) shares.push(`${generator.aborted} abandoned by the client`)
    rows.push([
      app.name,
      `statsd counted ${received.total}`,
      same ? '=' : '≠',
      `sent ${generator.sent}`,
      same ? green('✓') : red('✗'),
    ])
    const notes = [
      app.workers > 1
        ? `${app.name}: summed over ${app.workers} workers (${shares.join(', ')})`
        : `${app.name}: one process`,
    ]
    if (!same) {
      notes.push(
        `${app.name} by status: statsd ${statusList(received.byStatus)}; sent ${statusList(generator.byStatus)}`,
      )
    }
    if (generator.failed > 0) {
      notes.push(
        `${app.name}: ${generator.failed} requests failed at the client (${generator.lastError})`,
      )
    }
    details.push(...notes)
  })
  const checkColumns = [
    { title: 'counts' },
    { title: '' },
    { title: '' },
    { title: '' },
    { title: '' },
  ]
  for (const line of formatTable(checkColumns, rows, { width: outputWidth() }).slice(1)) out(line)
  for (const note of details) say(note, dim, '    ', '      ')
  const exitsOk = exits.every(({ code }) => code === 0)
  if (exitsOk) out(`  ${green('✓')} both apps shut down cleanly (exit 0) after flushing`)
  else {
    say(
      `✗ an app did not shut down cleanly: ${exits.map((exit, i) => `${apps[i].name} ${exit.signal ?? `code ${exit.code}`}`).join(', ')}`,
      (line) => line.replace('✗', red('✗')),
    )
  }
  if (!flushed) out(`  ${red('✗')} the statsd daemon stopped flushing to Graphite`)
  out()
  if (ok) {
    say(
      `✓ counts match: statsd received exactly the ${sentAll} requests the load generator sent, summed over all workers`,
      (line) => bold(line.replace('✓', green('✓'))),
      '',
    )
  } else {
    say(
      "✗ counts differ: statsd's totals are not the requests the load generator sent (see above)",
      (line) => bold(line.replace('✗', red('✗'))),
      '',
    )
  }
  for (const scrape of scrapes) ok = checkScrape(scrape) && ok
  return ok && exitsOk ? 0 : 1
}

/** The Prometheus side of the closing check: one app's /metrics against what it was sent. */
function checkScrape({ app, generator, byStatus, total, same, error }) {
  const workers = app.workers > 1 ? `summed over its ${app.workers} workers` : 'one process'
  if (same && generator.failed === 0) {
    say(
      `✓ counts match: /metrics showed exactly the ${total} requests sent to ${app.name}, ${workers} (scraped before it stopped)`,
      (line) => bold(line.replace('✓', green('✓'))),
      '',
    )
    return true
  }
  say(
    error === undefined
      ? `✗ counts differ: ${app.name}'s /metrics by status: ${statusList(byStatus)}; sent ${statusList(generator.byStatus)}`
      : `✗ cannot read ${app.name}'s /metrics: ${error.message}`,
    (line) => bold(line.replace('✗', red('✗'))),
    '',
  )
  return false
}

function styleName(app) {
  return app.style === 'tags' ? 'tag style' : 'path style'
}

function statusList(byStatus) {
  return [...byStatus]
    .sort()
    .map(([status, count]) => `${status}×${count}`)
    .join(' ')
}

function sampleKey(totals, app) {
  const keys = [...totals.counters.keys()].filter((key) => key.startsWith(`${app.prefix}.`))
  return keys.find((key) => key.includes('products') && key.includes('200')) ?? keys[0]
}

/**
 * On a terminal, redraws the progress and the live table in place, every line cut to the
 * terminal's width; otherwise prints a progress line (word-wrapped to 80 columns, no cursor
 * codes).
 */
class LiveView {
  /** What the last frame printed, to know how many screen rows to go back up. */
  frame = []
  tty = Boolean(process.stdout.isTTY)

  render(seconds, apps, generators, totals) {
    const counted = apps.reduce((total, app) => total + requestTotal(totals, app).total, 0)
    const clockWidth = String(options.duration).length
    const clock = `${Math.min(seconds, options.duration).toFixed(0).padStart(clockWidth)}/${options.duration} s`
    if (!this.tty) {
      say(`${clock}  ${trafficStats(generators)} — statsd has counted ${counted} so far`)
      return
    }
    const width = outputWidth()
    const lines = [
      `  ${progressBar(seconds / options.duration)} ${clock}`,
      ...wrap(trafficStats(generators), width),
      ...wrap(
        `live from the statsd daemon: ${totals.flushes} flushes, ${counted} requests counted so far (it lags by up to two flush intervals)`,
        width,
      ).map(dim),
      '',
      ...liveTable(
        apps.map((app) => ({ app, summary: summarise(totals, app, ROUTE_TEMPLATES) })),
        width,
      ),
    ]
    const frame = frameLines(lines, width, process.stdout.rows ?? 40)
    const up = screenRows(this.frame, width)
    if (up > 0) process.stdout.write(`\x1b[${up}F\x1b[J`)
    process.stdout.write(`${frame.join('\n')}\n`)
    this.frame = frame
  }

  /** Something else is printed below: the next view starts after it instead of over it. */
  leave() {
    this.frame = []
  }
}

function trafficStats(generators) {
  const failed = sum(generators, (g) => g.failed)
  return (
    `sent ${sum(generators, (g) => g.sent)} · 2xx ${sum(generators, (g) => g.countClass('2'))} · ` +
    `4xx ${sum(generators, (g) => g.countClass('4'))} · 5xx ${sum(generators, (g) => g.countClass('5'))} · ` +
    `slow ${sum(generators, (g) => g.slow)} · aborted ${sum(generators, (g) => g.aborted)}` +
    (failed > 0 ? red(` · failed ${failed}`) : '')
  )
}

function sum(items, of) {
  return items.reduce((total, item) => total + of(item), 0)
}

function readOptions() {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        duration: { type: 'string', default: '15' },
        style: { type: 'string', default: 'mixed' },
        workers: { type: 'string', default: '2' },
        protocol: { type: 'string', default: 'udp' },
        'statsd-port': { type: 'string' },
        concurrency: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }))
  } catch (error) {
    usageError(error.message)
  }
  if (values.help) {
    out(USAGE)
    process.exit(0)
  }
  const number = (name, min, max) => {
    const value = Number(values[name])
    if (!Number.isFinite(value) || value < min || value > max) {
      usageError(`--${name} must be a number from ${min} to ${max}, got "${values[name]}"`)
    }
    return value
  }
  if (!['mixed', 'tags', 'path'].includes(values.style)) {
    usageError(`--style must be mixed, tags or path, got "${values.style}"`)
  }
  if (!['udp', 'tcp'].includes(values.protocol)) {
    usageError(`--protocol must be udp or tcp, got "${values.protocol}"`)
  }
  return {
    duration: number('duration', 1, 3600),
    style: values.style,
    workers: Math.floor(number('workers', 1, 16)),
    protocol: values.protocol,
    statsdPort:
      values['statsd-port'] === undefined ? 0 : Math.floor(number('statsd-port', 1, 65535)),
    concurrency: Math.floor(number('concurrency', 1, 256)),
  }
}

function usageError(message) {
  process.stderr.write(`${message}\n\n${USAGE}\n`)
  process.exit(2)
}

try {
  process.exitCode = await run()
} catch (error) {
  out()
  out(red(`✗ demo failed: ${error.message}`))
  process.exitCode = 1
} finally {
  for (const step of teardown.reverse()) await step().catch(() => {})
}
process.exit()
