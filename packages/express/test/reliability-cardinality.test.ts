import http from 'node:http'
import { OVERFLOW_ROUTE, UNMATCHED_ROUTE } from '@routemeter/core'
import {
  captureFaultWarnings,
  type ProcessFaultWatch,
  type StatsdLines,
  type StatsdReceiver,
  sendHttpLoad,
  settledMemory,
  startStatsdReceiver,
  waitUntil,
  watchProcessFaults,
} from '@routemeter/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { closeServer, listen } from './support/async'
import { MAJORS } from './support/harness'

/**
 * Clients choose URLs; they must not choose how many series the meter holds. Distinct random
 * unmatched URLs and query strings are one series; distinct routes beyond `maxSeries` go to
 * the overflow bucket, counted.
 */

function randomSegment(): string {
  return Math.random().toString(36).slice(2)
}

/** Every request series seen, as `METHOD route status` → count. */
function requestSeries(lines: StatsdLines): Record<string, number> {
  const out: Record<string, number> = {}
  for (const sample of lines.find('http.server.requests')) {
    const key = `${sample.tags.method} ${sample.tags.route} ${sample.tags.status_code}`
    out[key] = (out[key] ?? 0) + Number(sample.values[0])
  }
  return out
}

// 100 000 on Express 5; Express 4 takes the same path through core with fewer, to spare CI time.
const RUNS = MAJORS.map((major, i) => ({ ...major, total: i === 0 ? 100_000 : 25_000 }))

describe.each(RUNS)('$major: cardinality is bounded whatever the URLs', ({ express, total }) => {
  let watch: ProcessFaultWatch
  let receiver: StatsdReceiver
  beforeEach(async () => {
    watch = watchProcessFaults()
    // TCP, so that every line arrives and counts can be compared exactly.
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
  })
  afterEach(async () => {
    expect(watch.faults).toEqual([])
    watch.stop()
    await receiver.close()
  })

  it(`${total.toLocaleString('en')} requests to distinct random unmatched URLs and query strings make one series`, async () => {
    const metrics = routemeter({ protocol: 'tcp', port: receiver.port, flushIntervalMs: 20 })
    const app = express()
    app.use(metrics)
    app.get('/users/:id', (_req, res) => {
      res.send('user')
    })
    const server = http.createServer(app)
    const port = await listen(server)

    const seen = new Set<string>()
    const path = (i: number): string => {
      const url = `/${randomSegment()}/${i}/${randomSegment()}?${randomSegment()}=${randomSegment()}&i=${i}`
      if (i < 1_000) seen.add(url)
      return url
    }
    // The receiver keeps every line it gets; fold them into totals now and then and let it forget
    // them, so the memory measured is the app's. (Synchronous: no line can slip in between.)
    const wire: Record<string, number> = {}
    const durationSeries = new Set<string>()
    let received = 0
    const fold = (): void => {
      for (const [key, count] of Object.entries(requestSeries(receiver))) {
        wire[key] = (wire[key] ?? 0) + count
      }
      for (const sample of receiver.find('http.server.duration')) {
        durationSeries.add(JSON.stringify(sample.tags))
      }
      received += receiver.lines().length
      receiver.clear()
    }
    // Express' own 404 (finalhandler) listens on the socket for every queued response; more than
    // ten pipelined on one connection make Node warn, with or without routemeter. Eight it is.
    const pipeline = 8
    await sendHttpLoad({
      port,
      total: 1_000,
      pipeline,
      request: (i) => ({ method: 'GET', path: path(i) }),
    })
    const seriesAfterFirst = metrics.meter.stats().series
    fold()
    const before = settledMemory()
    let responses = 0
    const result = await sendHttpLoad({
      port,
      total: total - 1_000,
      pipeline,
      request: (i) => ({ method: 'GET', path: path(i + 1_000) }),
      onResponse() {
        if (++responses % 5_000 === 0) fold()
      },
    })
    fold()
    const after = settledMemory()
    expect(seen.size).toBe(1_000)
    expect(result.statuses).toEqual({ 404: total - 1_000 })
    expect(metrics.meter.stats().series).toBe(seriesAfterFirst)
    const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
    expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)

    await closeServer(server)
    await metrics.close()
    const stats = metrics.meter.stats()
    await receiver.waitFor((r) => received + r.lines().length >= stats.lines, 10_000)
    fold()
    expect(received).toBe(stats.lines)
    expect(stats.droppedLines).toBe(0)
    // On the wire: one request series, every request in it.
    expect(wire).toEqual({ [`GET ${UNMATCHED_ROUTE} 404`]: total })
    expect(durationSeries.size).toBe(1)
    // The series the meter holds: that one, and the active-requests gauge.
    expect(stats.series).toBe(2)
    expect(stats.overflowed).toBe(0)
  })

  it('distinct routes beyond maxSeries go to the overflow bucket, and are counted', async () => {
    const maxSeries = 100
    const routes = 300
    const perRoute = 10
    const log = captureFaultWarnings()
    const metrics = routemeter({
      protocol: 'tcp',
      port: receiver.port,
      flushIntervalMs: 3_600_000,
      maxSeries,
      logger: log.logger,
    })
    const app = express()
    app.use(metrics)
    for (let i = 0; i < routes; i++) {
      // Half on the app, half in mounted routers: both are route templates.
      if (i % 2 === 0) {
        app.get(`/route-${i}/:id`, (_req, res) => {
          res.send('ok')
        })
      } else {
        const router = express.Router()
        router.get('/:id', (_req, res) => {
          res.send('ok')
        })
        app.use(`/mounted-${i}`, router)
      }
    }
    const server = http.createServer(app)
    const port = await listen(server)
    const total = routes * perRoute
    const result = await sendHttpLoad({
      port,
      total,
      request: (i) => {
        const route = i % routes
        return { method: 'GET', path: `/${route % 2 === 0 ? 'route' : 'mounted'}-${route}/${i}` }
      },
    })
    expect(result.statuses).toEqual({ 200: total })
    await waitUntil(() => metrics.meter.stats().activeRequests === 0, 'all requests recorded')
    const stats = metrics.meter.stats()
    await closeServer(server)
    await metrics.close()
    await receiver.waitFor((r) => r.lines().length >= metrics.meter.stats().lines, 10_000)

    const wire = requestSeries(receiver)
    const overflowKey = `GET ${OVERFLOW_ROUTE} 200`
    // Every request is on the wire exactly once: under its own route, or in the overflow bucket.
    expect(Object.values(wire).reduce((a, b) => a + b, 0)).toBe(total)
    expect(wire[overflowKey]).toBe(stats.overflowed)
    expect(stats.overflowed).toBeGreaterThanOrEqual(total - maxSeries * perRoute)
    // The bound: at most maxSeries series, plus the one overflow series itself.
    expect(Object.keys(wire).length).toBeLessThanOrEqual(maxSeries + 1)
    expect(stats.series).toBeLessThanOrEqual(maxSeries + 1)
    expect(log.byKind()).toEqual({ 'series-cap': 1 })
  })
})
