import { type Meter, OVERFLOW_ROUTE, UNMATCHED_ROUTE } from '@routemeter/core'
import { type StatsdLines, waitUntil } from '@routemeter/core/testing'
import { captureFaultWarnings, sendHttpLoad, settledMemory } from '@routemeter/test-support'
import type { RouteSpec } from './adapter'
import { fixture } from './fixture'
import { NO_INTERVAL } from './net'
import { LOAD_TIMEOUT_MS, type SuiteContext, sized } from './suite'

/**
 * Clients choose URLs; they must not choose how many series the meter holds. Distinct random
 * unmatched URLs and query strings are one series; distinct routes beyond `maxSeries` go to
 * the overflow bucket, counted.
 */

const TOTAL = 100_000
const WARM = 1_000

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

export function cardinalitySuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect } = test
  // Every adapter takes the full load here: this is where a per-URL leak would show.
  const total = Math.max(2 * WARM, sized(TOTAL))
  const labels = factory.supports.routeLabel === true

  describe(`${factory.name}: cardinality is bounded whatever the URLs`, () => {
    // TCP, so that every line arrives and counts can be compared exactly.
    const f = fixture(test, 'tcp', { faultFree: true })

    it(
      `${total.toLocaleString('en')} requests to distinct random unmatched URLs and query strings make one series`,
      async () => {
        f.app = await factory.start(
          { routes: [{ method: 'GET', path: '/users/:id', handler: () => ({ text: 'user' }) }] },
          { protocol: 'tcp', port: f.receiver.port, prefix: null, flushIntervalMs: 20 },
        )
        const { port } = f.app
        const meter = f.app.meter as Meter

        const seen = new Set<string>()
        const path = (i: number): string => {
          const url = `/${randomSegment()}/${i}/${randomSegment()}?${randomSegment()}=${randomSegment()}&i=${i}`
          if (i < WARM) seen.add(url)
          return url
        }
        // The receiver keeps every line it gets; fold them into totals now and then and let it forget
        // them, so the memory measured is the app's. (Synchronous: no line can slip in between.)
        const wire: Record<string, number> = {}
        const durationSeries = new Set<string>()
        let received = 0
        const fold = (): void => {
          for (const [key, count] of Object.entries(requestSeries(f.receiver))) {
            wire[key] = (wire[key] ?? 0) + count
          }
          for (const sample of f.receiver.find('http.server.duration')) {
            durationSeries.add(JSON.stringify(sample.tags))
          }
          received += f.receiver.lines().length
          f.receiver.clear()
        }
        // A framework's own 404 may listen on the socket for every queued response (Express'
        // finalhandler); more than ten pipelined on one connection make Node warn, with or without
        // routemeter. Eight it is.
        const pipeline = 8
        await sendHttpLoad({
          port,
          total: WARM,
          pipeline,
          request: (i) => ({ method: 'GET', path: path(i) }),
        })
        const seriesAfterFirst = meter.stats().series
        fold()
        const before = settledMemory()
        let responses = 0
        const result = await sendHttpLoad({
          port,
          total: total - WARM,
          pipeline,
          request: (i) => ({ method: 'GET', path: path(i + WARM) }),
          onResponse() {
            if (++responses % 5_000 === 0) fold()
          },
        })
        fold()
        const after = settledMemory()
        expect(seen.size).toBe(WARM)
        expect(result.statuses).toEqual({ 404: total - WARM })
        expect(meter.stats().series).toBe(seriesAfterFirst)
        const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
        expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)

        await f.app.shutdown()
        const stats = meter.stats()
        await f.receiver.waitFor((r) => received + r.lines().length >= stats.lines, 10_000)
        fold()
        expect(received).toBe(stats.lines)
        expect(stats.droppedLines).toBe(0)
        // On the wire: one request series, every request in it.
        expect(wire).toEqual({ [`GET ${UNMATCHED_ROUTE} 404`]: total })
        expect(durationSeries.size).toBe(1)
        // The series the meter holds: that one, and the active-requests gauge.
        expect(stats.series).toBe(2)
        expect(stats.overflowed).toBe(0)
      },
      LOAD_TIMEOUT_MS,
    )

    it(`distinct routes beyond maxSeries go to the overflow bucket, and are counted (templates, mounted routes${labels ? ', route labels' : ''})`, async () => {
      const maxSeries = 100
      const routes = 300
      const perRoute = 10
      const log = captureFaultWarnings()
      const ok = () => ({ text: 'ok' })
      // Half by template, half mounted under a prefix (a quarter by route label where supported):
      // all are route labels.
      const specs: RouteSpec[] = []
      const paths: string[] = []
      for (let i = 0; i < routes; i++) {
        if (i % 2 === 0) {
          specs.push({ method: 'GET', path: `/route-${i}/:id`, handler: ok })
          paths.push(`/route-${i}/`)
        } else if (labels && i % 4 === 1) {
          specs.push({ method: 'GET', path: `/labelled-${i}`, label: `label-${i}`, handler: ok })
          paths.push(`/labelled-${i}`)
        } else {
          specs.push({ method: 'GET', path: '/:id', prefix: `/mounted-${i}`, handler: ok })
          paths.push(`/mounted-${i}/`)
        }
      }
      f.app = await factory.start(
        { routes: specs },
        {
          protocol: 'tcp',
          port: f.receiver.port,
          prefix: null,
          flushIntervalMs: NO_INTERVAL,
          maxSeries,
          logger: log.logger,
        },
      )
      const meter = f.app.meter as Meter
      const all = routes * perRoute
      const result = await sendHttpLoad({
        port: f.app.port,
        total: all,
        request: (i) => {
          const path = paths[i % routes] ?? ''
          return { method: 'GET', path: path.endsWith('/') ? `${path}${i}` : path }
        },
      })
      expect(result.statuses).toEqual({ 200: all })
      await waitUntil(() => meter.stats().activeRequests === 0, 'all requests recorded')
      const stats = meter.stats()
      await f.app.shutdown()
      await f.receiver.waitFor((r) => r.lines().length >= meter.stats().lines, 10_000)

      const wire = requestSeries(f.receiver)
      const overflowKey = `GET ${OVERFLOW_ROUTE} 200`
      // Every request is on the wire exactly once: under its own route, or in the overflow bucket.
      expect(Object.values(wire).reduce((a, b) => a + b, 0)).toBe(all)
      expect(wire[overflowKey]).toBe(stats.overflowed)
      expect(stats.overflowed).toBeGreaterThanOrEqual(all - maxSeries * perRoute)
      // The bound: at most maxSeries series, plus the one overflow series itself.
      expect(Object.keys(wire).length).toBeLessThanOrEqual(maxSeries + 1)
      expect(stats.series).toBeLessThanOrEqual(maxSeries + 1)
      expect(log.byKind()).toEqual({ 'series-cap': 1 })
    })
  })
}
