import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import {
  exposedCounts,
  freePort,
  prometheusBinDir,
  runLoad,
  send,
  sleep,
  startProcess,
  startPrometheus,
  total,
  until,
} from './support.mjs'

const app = fileURLToPath(new URL('../fixtures/app.mjs', import.meta.url))
const FLUSH_MS = 250

let stopAll = []
afterEach(async () => {
  for (const stop of stopAll.reverse()) await stop()
  stopAll = []
})

describe('a real Prometheus server scraping a 4-worker node:cluster app', () => {
  it('sees every request served, less only the killed worker’s last interval; no counter ever goes down; histogram counts equal the requests', async () => {
    const prometheusPort = await freePort()
    const server = startProcess(process.execPath, [app], {
      PROMETHEUS_PORT: String(prometheusPort),
      WORKERS: '4',
      FLUSH_MS: String(FLUSH_MS),
    })
    stopAll.push(async () => {
      server.child.kill('SIGKILL')
      await server.exited
    })
    const { port } = await server.waitFor((e) => e.event === 'listening', 'cluster listening')
    const workers = server.events.filter((e) => e.event === 'worker').map((e) => e.pid)
    expect(workers).toHaveLength(4)
    const prometheus = await startPrometheus(`127.0.0.1:${prometheusPort}`)
    stopAll.push(() => prometheus.stop())
    // Prometheus applies new targets after a few seconds: load starts once it scrapes.
    await until(
      async () => (await prometheus.scalar('up')) === 1,
      'Prometheus scraping the aggregator',
    )

    let stopped = false
    const load = runLoad(port, 8, () => stopped)
    // Scrapes of the aggregator while workers come and go: no counter may ever go down.
    const seen = []
    const watching = (async () => {
      while (!stopped) {
        seen.push(
          exposedCounts(
            (await send(prometheusPort, 'GET', '/metrics')).body,
            'http_server_requests_total',
          ),
        )
        await sleep(150)
      }
    })()

    await sleep(2_000)
    process.kill(workers[0], 'SIGTERM') // graceful: answers what it has, flushes, leaves
    await server.waitFor(
      (e) => e.event === 'exit' && e.pid === workers[0],
      'the stopped worker’s exit',
    )
    await sleep(1_500)
    const killedAt = Date.now()
    process.kill(workers[1], 'SIGKILL')
    await server.waitFor(
      (e) => e.event === 'exit' && e.pid === workers[1],
      'the killed worker’s exit',
    )
    await sleep(2_000)
    stopped = true
    await load.done
    await watching

    // Everything flushed, then scraped by Prometheus at least twice.
    await sleep(FLUSH_MS * 2)
    const finalScrape = (await send(prometheusPort, 'GET', '/metrics')).body
    const final = exposedCounts(finalScrape, 'http_server_requests_total')
    await until(
      async () => (await prometheus.scalar('sum(http_server_requests_total)')) === total(final),
      'Prometheus has the final totals',
    )

    const served = load.served
    // What the killed worker answered after its last flush could be lost: at most its last interval.
    const atRisk = load.answers.filter(
      (a) => a.pid === workers[1] && a.at >= killedAt - FLUSH_MS - 150,
    ).length
    const scraped = total(final)
    console.log(
      `served ${total(served)} (failed connections ${load.failures()}), Prometheus ${scraped}, lost ${total(served) - scraped} (bound ${atRisk}); replacements ${server.events.filter((e) => e.event === 'worker').length - 4}`,
    )
    for (const key of Object.keys(served)) expect(final[key] ?? 0).toBeLessThanOrEqual(served[key])
    expect(Object.keys(final).sort()).toEqual(Object.keys(served).sort())
    expect(scraped).toBeGreaterThanOrEqual(total(served) - atRisk)
    expect(scraped).toBeLessThanOrEqual(total(served))
    // The worker stopped gracefully delivered everything: every request it answered is in.
    const byStopped = load.answers.filter((a) => a.pid === workers[0]).length
    expect(byStopped).toBeGreaterThan(0)

    // No series ever went down, between any two scrapes taken while workers came and went.
    for (let i = 1; i < seen.length; i++)
      for (const [key, value] of Object.entries(seen[i - 1]))
        expect(seen[i][key] ?? 0).toBeGreaterThanOrEqual(value)
    expect(await prometheus.scalar('max(resets(http_server_requests_total[10m]))')).toBe(0)
    expect(await prometheus.scalar('max(resets(http_server_duration_seconds_count[10m]))')).toBe(0)
    expect(await prometheus.scalar('sum(http_server_duration_seconds_count)')).toBe(scraped)
    expect(await prometheus.scalar('min_over_time(up[10m])')).toBe(1)
    console.log(
      `sum(increase(http_server_requests_total[10m])) = ${await prometheus.scalar('sum(increase(http_server_requests_total[10m]))')}`,
    )

    const promtool = spawnSync(path.join(prometheusBinDir(), 'promtool'), ['check', 'metrics'], {
      input: finalScrape,
      encoding: 'utf8',
    })
    expect(`${promtool.stdout}${promtool.stderr}`.trim()).toBe('')
    expect(promtool.status).toBe(0)
  })
})
