// Profiles one variant's server under load with V8's sampling profiler (--cpu-prof) and
// prints where its CPU time goes: self time by package (routemeter, fastify, express, node
// internals, ...) and the hottest functions. Used when a figure misses its budget.
//
//   node bench/src/profile.mjs <variant> [--requests <n>] [--routes <n>] [--top <n>]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pinSelf, startWorker } from './lib/ipc.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '300000' },
    routes: { type: 'string', default: '0' },
    top: { type: 'string', default: '25' },
  },
})
if (positionals.length === 0) {
  console.error(
    'usage: node bench/src/profile.mjs <variant> [<baseline variant>] [--requests n] [--routes n]',
  )
  process.exit(2)
}
const routes = Number(values.routes)
const requests = Number(values.requests)

function area(url) {
  if (!url) return '(native/vm)'
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/)
  if (m) return m[1]
  if (url.includes('/packages/')) return `@routemeter/${url.split('/packages/')[1].split('/')[0]}`
  if (url.startsWith('node:')) return 'node internals'
  if (url.includes('/bench/src/')) return 'bench'
  return url
}

/** Runs one variant under the profiler; returns self time per request (ns) by area and function. */
async function profileVariant(ctx, variant) {
  const dir = mkdtempSync(join(tmpdir(), 'routemeter-prof-'))
  const { port: sinkPort } = await ctx.sink.call('open')
  const server = startWorker(
    variant,
    join(here, 'server.mjs'),
    [JSON.stringify({ variant, sinkPort, routes })],
    { core: 0, execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'] },
  )
  const { port } = await server.ready()
  await ctx.loader.call('run', { port, amount: 20_000, routes, connections: 50 })
  await server.call('start')
  const load = await ctx.loader.call(
    'run',
    { port, amount: requests, routes, connections: 50 },
    600_000,
  )
  const end = await server.call('stop')
  await server.close()
  const served = end.totalServed
  console.log(
    `${variant}: ${((end.userUs + end.systemUs) / end.served).toFixed(2)} µs CPU/request with ` +
      `the profiler on, ${load.rps.toFixed(0)} req/s; profile in ${dir}`,
  )
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const byArea = new Map()
  const byFn = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const cf = byId.get(profile.samples[i]).callFrame
    const us = profile.timeDeltas[i] ?? 0
    const special = cf.functionName.startsWith('(') && !cf.url
    const a = special ? cf.functionName : area(cf.url)
    byArea.set(a, (byArea.get(a) ?? 0) + us)
    const where = cf.url ? `${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}` : ''
    const key = `${cf.functionName || '(anonymous)'}  ${where}`
    byFn.set(key, (byFn.get(key) ?? 0) + us)
  }
  // The profile covers the whole process life (start-up and warm-up too): per request over
  // everything it served.
  const perReq = (m) => new Map([...m].map(([k, us]) => [k, (us * 1000) / served]))
  return { byArea: perReq(byArea), byFn: perReq(byFn) }
}

function print(title, rows, top) {
  console.log(`\n${title}`)
  for (const [k, ns] of rows.slice(0, top)) console.log(`${ns.toFixed(0).padStart(7)} ns/req  ${k}`)
}

pinSelf(1)
const sink = startWorker('sink', join(here, 'sink.mjs'), [], { core: 1 })
const loader = startWorker('loader', join(here, 'loader.mjs'), [], { core: 1 })
await Promise.all([sink.ready(), loader.ready()])
const ctx = { sink, loader }
const [target, baseline] = positionals
const a = await profileVariant(ctx, target)
const b = baseline ? await profileVariant(ctx, baseline) : undefined
await Promise.all([loader.close(), sink.close()])

const top = Number(values.top)
const sorted = (m) => [...m].sort((x, y) => y[1] - x[1])
if (!b) {
  print(`${target}: self time by area`, sorted(a.byArea), 15)
  print(`${target}: hottest functions`, sorted(a.byFn), top)
} else {
  const diff = (x, y) => {
    const keys = new Set([...x.keys(), ...y.keys()])
    return [...keys]
      .map((k) => [k, (x.get(k) ?? 0) - (y.get(k) ?? 0)])
      .sort((p, q) => Math.abs(q[1]) - Math.abs(p[1]))
  }
  print(`${target} minus ${baseline}: self time by area`, diff(a.byArea, b.byArea), 15)
  print(`${target} minus ${baseline}: functions`, diff(a.byFn, b.byFn), top)
}
