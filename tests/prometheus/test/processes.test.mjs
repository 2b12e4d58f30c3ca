import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import {
  exposedCounts,
  freePort,
  runLoad,
  send,
  sleep,
  startProcess,
  total,
  until,
} from './support.mjs'

const app = fileURLToPath(new URL('../fixtures/app.mjs', import.meta.url))
const exporterCli = fileURLToPath(
  new URL('../../../packages/core/dist/exporter-cli.js', import.meta.url),
)
const pm2 = fileURLToPath(new URL('../node_modules/pm2/bin/pm2', import.meta.url))
const FLUSH_MS = 250

async function startExporter(prometheusPort) {
  const exporter = startProcess(
    process.execPath,
    [exporterCli, '--port', String(prometheusPort), '--host', '127.0.0.1'],
    {},
  )
  stopAll.push(async () => {
    exporter.child.kill('SIGTERM')
    await exporter.exited
  })
  const listening = await exporter.waitFor(
    (e) => e.event === 'listening',
    'routemeter-exporter listening',
  )
  expect(listening.url).toBe(`http://127.0.0.1:${prometheusPort}/metrics`)
  return exporter
}

/** Scrapes until the totals equal `expected` (every flush in), or fails with what it saw. */
async function settledTotals(prometheusPort, expected) {
  let counts = {}
  await until(
    async () => {
      counts = exposedCounts((await send(prometheusPort, 'GET', '/metrics')).body)
      return total(counts) >= total(expected)
    },
    `the aggregator reaching ${total(expected)} requests`,
  ).catch(() => {})
  await sleep(FLUSH_MS * 2)
  return exposedCounts((await send(prometheusPort, 'GET', '/metrics')).body)
}

/**
 * Every request the client got an answer to is counted, series by series. A request whose
 * connection failed while a worker stopped may still have been answered (its status written)
 * before the client saw the failure: at most those few are counted on top.
 */
function expectServed(final, served, failures) {
  for (const key of Object.keys(served)) expect(final[key] ?? 0).toBeGreaterThanOrEqual(served[key])
  expect(Object.keys(final).sort()).toEqual(Object.keys(served).sort())
  expect(total(final)).toBeLessThanOrEqual(total(served) + failures)
}

let stopAll = []
afterEach(async () => {
  for (const stop of stopAll.reverse()) await stop()
  stopAll = []
})

describe('routemeter-exporter aggregating processes that share no primary', () => {
  it('several processes of one container: exact totals, also from one that stopped on the way', async () => {
    const prometheusPort = await freePort()
    await startExporter(prometheusPort)
    const env = {
      PROMETHEUS_PORT: String(prometheusPort),
      WORKERS: '1',
      AGGREGATOR: '1',
      FLUSH_MS: String(FLUSH_MS),
    }
    const processes = [
      startProcess(process.execPath, [app], env),
      startProcess(process.execPath, [app], env),
    ]
    for (const child of processes)
      stopAll.push(async () => {
        child.child.kill('SIGKILL')
        await child.exited
      })
    const ports = []
    for (const child of processes)
      ports.push((await child.waitFor((e) => e.event === 'listening', 'a process listening')).port)
    let stopped = false
    const loads = ports.map((port) => runLoad(port, 3, () => stopped))
    await sleep(1_500)
    processes[0].child.kill('SIGTERM')
    expect(await processes[0].exited).toEqual({ code: 0, signal: null })
    stopped = true
    await Promise.all(loads.map((load) => load.done))
    const served = {}
    for (const load of loads)
      for (const [key, n] of Object.entries(load.served)) served[key] = (served[key] ?? 0) + n
    const final = await settledTotals(prometheusPort, served)
    const failures = loads.reduce((sum, load) => sum + load.failures(), 0)
    console.log(`container: served ${total(served)} (failed ${failures}), exporter ${total(final)}`)
    expectServed(final, served, failures)
  })

  it('PM2 cluster mode (its primary is PM2’s daemon): exact totals across a reload of every worker', async () => {
    const prometheusPort = await freePort()
    const appPort = await freePort()
    await startExporter(prometheusPort)
    const home = mkdtempSync(path.join(tmpdir(), 'routemeter-pm2-'))
    const env = {
      ...process.env,
      PM2_HOME: home,
      PROMETHEUS_PORT: String(prometheusPort),
      APP_PORT: String(appPort),
      WORKERS: '1',
      FLUSH_MS: String(FLUSH_MS),
    }
    const pm2Run = (...args) => {
      const result = spawnSync(process.execPath, [pm2, ...args], { env, encoding: 'utf8' })
      if (result.status !== 0)
        throw new Error(`pm2 ${args.join(' ')}: ${result.stdout}${result.stderr}`)
      return result.stdout
    }
    stopAll.push(async () => {
      spawnSync(process.execPath, [pm2, 'kill'], { env, encoding: 'utf8' })
      rmSync(home, { recursive: true, force: true })
    })
    pm2Run('start', app, '--name', 'shop', '-i', '2', '--kill-timeout', '5000', '--update-env')
    await until(async () => {
      try {
        return (await send(appPort, 'GET', '/users/1')).status === 200
      } catch {
        return false
      }
    }, 'PM2’s workers answering')
    // The probe above was served too.
    let stopped = false
    const load = runLoad(appPort, 4, () => stopped)
    await sleep(1_500)
    pm2Run('reload', 'shop', '--update-env')
    await sleep(1_500)
    stopped = true
    await load.done
    const served = { ...load.served }
    served['/users/:id GET 200'] = (served['/users/:id GET 200'] ?? 0) + 1
    const final = await settledTotals(prometheusPort, served)
    console.log(
      `pm2: served ${total(served)} (failed ${load.failures()}), exporter ${total(final)}`,
    )
    expectServed(final, served, load.failures())
  })
})
