import { OVERFLOW_ROUTE, UNMATCHED_ROUTE } from '@routemeter/core'
import {
  captureFaultWarnings,
  type ProcessFaultWatch,
  type StatsdReceiver,
  sendHttpLoad,
  settledMemory,
  startStatsdReceiver,
  waitUntil,
  watchProcessFaults,
} from '@routemeter/core/testing'
import Fastify from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { listen, NO_INTERVAL, requestSeries } from './support'

/**
 * Clients choose URLs; they must not choose how many series the meter holds. Distinct random
 * unmatched URLs and query strings are one series; distinct routes beyond `maxSeries` go to
 * the overflow bucket, counted.
 */

const TOTAL = 100_000

function randomSegment(): string {
  return Math.random().toString(36).slice(2)
}

describe('cardinality is bounded whatever the URLs (Fastify)', () => {
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

  it(`${TOTAL.toLocaleString('en')} requests to distinct random unmatched URLs and query strings make one series`, async () => {
    const app = Fastify()
    await app.register(routemeter, { protocol: 'tcp', port: receiver.port, flushIntervalMs: 20 })
    app.get('/users/:id', async () => 'user')
    const port = await listen(app)

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
    await sendHttpLoad({ port, total: 1_000, request: (i) => ({ method: 'GET', path: path(i) }) })
    const seriesAfterFirst = app.metrics.stats().series
    fold()
    const before = settledMemory()
    let responses = 0
    const result = await sendHttpLoad({
      port,
      total: TOTAL - 1_000,
      request: (i) => ({ method: 'GET', path: path(i + 1_000) }),
      onResponse() {
        if (++responses % 5_000 === 0) fold()
      },
    })
    fold()
    const after = settledMemory()
    expect(seen.size).toBe(1_000)
    expect(result.statuses).toEqual({ 404: TOTAL - 1_000 })
    expect(app.metrics.stats().series).toBe(seriesAfterFirst)
    const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
    expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)

    await app.close()
    const stats = app.metrics.stats()
    await receiver.waitFor((r) => received + r.lines().length >= stats.lines, 10_000)
    fold()
    expect(received).toBe(stats.lines)
    expect(stats.droppedLines).toBe(0)
    // On the wire: one request series, every request in it.
    expect(wire).toEqual({ [`GET ${UNMATCHED_ROUTE} 404`]: TOTAL })
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
    const app = Fastify()
    await app.register(routemeter, {
      protocol: 'tcp',
      port: receiver.port,
      flushIntervalMs: NO_INTERVAL,
      maxSeries,
      logger: log.logger,
    })
    for (let i = 0; i < routes; i++) {
      // Half by template, half by route-config label: both are route labels.
      if (i % 2 === 0) app.get(`/route-${i}/:id`, async () => 'ok')
      else
        app.get(
          `/labelled-${i}`,
          { config: { metrics: { route: `label-${i}` } } },
          async () => 'ok',
        )
    }
    const port = await listen(app)
    const total = routes * perRoute
    const result = await sendHttpLoad({
      port,
      total,
      request: (i) => {
        const route = i % routes
        return {
          method: 'GET',
          path: route % 2 === 0 ? `/route-${route}/${i}` : `/labelled-${route}`,
        }
      },
    })
    expect(result.statuses).toEqual({ 200: total })
    await waitUntil(() => app.metrics.stats().activeRequests === 0, 'all requests recorded')
    const stats = app.metrics.stats()
    await app.close()
    await receiver.waitFor((r) => r.lines().length >= app.metrics.stats().lines, 10_000)

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
