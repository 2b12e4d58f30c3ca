import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { scrapeRequestCounts } from '@routemeter/example-shared/exposition'
import {
  describePrometheusProcess,
  sendLoad,
  sorted,
  Tally,
  waitForCounts,
} from '@routemeter/example-shared/prometheus-process-suite'
import { killServers, startServer } from '@routemeter/example-shared/server-process'
import { afterEach, describe, expect, it } from 'vitest'

const FLUSH_INTERVAL_MS = 200
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// One process, and a cluster of two: the primary's aggregator sums the workers' totals.
describePrometheusProcess('Express')
describePrometheusProcess('Express', { workers: 2 })

/** Every series of `later` is at least what it was in `earlier`: no counter ever went down. */
function wentDown(earlier, later) {
  return [...earlier].filter(([key, count]) => (later.get(key) ?? 0) < count)
}

describe('the Express example with PROMETHEUS_PORT, as a cluster whose workers die', () => {
  // The aggregator's local socket goes in TMPDIR: a folder of the test's own, to see it removed.
  let tmp
  afterEach(() => {
    killServers()
    rmSync(tmp, { recursive: true, force: true })
  })

  /**
   * PROMETHEUS_PORT=0: the primary's aggregator picks the port, and every worker, replacements
   * included, must be told which to find its socket.
   */
  async function startCluster(workers, flushIntervalMs) {
    tmp = mkdtempSync(path.join(tmpdir(), 'routemeter-example-'))
    const server = await startServer({
      TMPDIR: tmp,
      WORKERS: String(workers),
      PROMETHEUS_PORT: '0',
      ROUTEMETER_STATSD: 'false',
      STATSD_FLUSH_INTERVAL_MS: String(flushIntervalMs),
    })
    expect(server.metrics).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/)
    return server
  }

  it('a worker killed with SIGKILL loses at most what it answered since its last flush; its replacement adds on; no counter goes down', async () => {
    const server = await startCluster(3, FLUSH_INTERVAL_MS)
    expect(Object.keys(server.workerPids)).toEqual(['1', '2', '3'])
    const served = new Tally('tags')
    const scrapes = []
    const scrape = async () => {
      scrapes.push(await scrapeRequestCounts(server.metrics, 'tags'))
    }

    // Until everything served so far is in the totals: from here on the kill can cost only what
    // the victim answers next.
    await sendLoad(server.url, 6, served)
    await scrape()
    const synced = await waitForCounts(server.metrics, 'tags', served.toObject())
    expect(synced).toEqual(served.toObject())

    const victim = '2'
    const lost = new Tally('tags')
    const countIfVictim = (key, { worker }) => worker === victim && lost.add(key)
    await sendLoad(server.url, 3, served, countIfVictim)
    process.kill(server.workerPids[victim], 'SIGKILL')
    const replacement = await server.nextEvent('worker-listening')
    expect(replacement.id).toBe(4)

    const answeredBy = new Set()
    for (let i = 0; i < 6; i++) {
      await sendLoad(server.url, 2, served, (key, response) => {
        countIfVictim(key, response)
        answeredBy.add(response.worker)
      })
      await scrape()
    }
    expect(answeredBy).toContain('4')
    expect(lost.total).toBeGreaterThan(0) // the victim did answer after the sync point

    // Every live worker's changes arrive within an interval or two; wait for them, then a while
    // more, so that the last scrape holds everything that will ever arrive.
    const atLeast = (counts) =>
      [...served.counts].every(([key, n]) => (counts.get(key) ?? 0) >= n - lost.get(key))
    const deadline = Date.now() + 10_000
    do await scrape()
    while (!atLeast(scrapes.at(-1)) && Date.now() < deadline)
    await sleep(3 * FLUSH_INTERVAL_MS)
    await scrape()

    for (let i = 1; i < scrapes.length; i++)
      expect({ scrape: i, wentDown: wentDown(scrapes[i - 1], scrapes[i]) }).toEqual({
        scrape: i,
        wentDown: [],
      })
    const final = scrapes.at(-1)
    for (const [key, n] of served.counts) {
      const total = final.get(key) ?? 0
      const bounds = { key, served: n, lostAtMost: lost.get(key), total }
      const within = total <= n && total >= n - lost.get(key)
      expect({ ...bounds, within }).toEqual({ ...bounds, within: true })
    }
    expect([...final.keys()].sort()).toEqual([...served.counts.keys()].sort())
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
    // The primary closed its aggregator once the workers were gone: the socket is removed.
    expect(readdirSync(tmp)).toEqual([])
  })

  it('a worker stopped with SIGTERM delivers every request it answered, with no interval flush', async () => {
    // No interval flush in the test: only the worker's exit can deliver its counts.
    const server = await startCluster(2, 600_000)
    const byWorker = { 1: new Tally('tags'), 2: new Tally('tags') }
    await sendLoad(server.url, 5, new Tally('tags'), (key, { worker }) => byWorker[worker].add(key))
    expect(byWorker[1].total + byWorker[2].total).toBe(40)
    // The aggregator never asks a worker: it has nothing yet.
    expect(sorted(await scrapeRequestCounts(server.metrics, 'tags'))).toEqual({})

    process.kill(server.workerPids[1], 'SIGTERM')
    expect(await server.nextEvent('worker-listening')).toMatchObject({ id: 3 })
    expect(await waitForCounts(server.metrics, 'tags', byWorker[1].toObject())).toEqual(
      byWorker[1].toObject(),
    )
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
  })
})
