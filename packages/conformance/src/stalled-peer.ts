import type { Meter } from '@routemeter/core'
import { waitUntil } from '@routemeter/core/testing'
import { captureFaultWarnings, sendHttpLoad, settledMemory } from '@routemeter/test-support'
import type { AppSpec } from './adapter'
import { fixture } from './fixture'
import { type SuiteContext, scaled } from './suite'

/**
 * A TCP StatsD that stops reading (alive, connected, never draining its socket): the kernel
 * buffers fill, then routemeter's send queue. The queue must stay within `maxQueueBytes`, the
 * oldest metrics go first and are counted, and the app answers every request as usual.
 */

const TOTAL = 40_000
const MAX_QUEUE_BYTES = 64 * 1024
const STEPS = ['parse', 'authorize', 'load', 'render', 'audit', 'encode'] as const

const REPORTS: AppSpec = {
  routes: [
    {
      method: 'GET',
      path: '/reports/:id',
      handler({ params, metrics }) {
        for (const step of STEPS) metrics?.timer(`report.${step}`)()
        const id = params.id ?? ''
        return { json: { report: id, pages: id.length } }
      },
    },
  ],
}

export function stalledPeerSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect } = test
  const total = scaled(factory, TOTAL)

  describe(`${factory.name}: a stalled TCP StatsD (receiver stops reading) under load`, () => {
    const f = fixture(test, 'tcp')

    it('the queue stays within maxQueueBytes, drops are counted, responses are unaffected', async () => {
      const log = captureFaultWarnings()
      f.app = await factory.start(REPORTS, {
        protocol: 'tcp',
        port: f.receiver.port,
        flushIntervalMs: 10,
        maxQueueBytes: MAX_QUEUE_BYTES,
        logger: log.logger,
      })
      const meter = f.app.meter as Meter
      await waitUntil(() => f.receiver.connectionCount === 1, 'the meter connected')
      f.receiver.pause()

      const before = settledMemory()
      let largestQueue = 0
      const wrong: string[] = []
      await sendHttpLoad({
        port: f.app.port,
        total,
        request: (i) => ({ method: 'GET', path: `/reports/${i}` }),
        onResponse(i, response) {
          largestQueue = Math.max(largestQueue, meter.stats().queuedBytes)
          const body = `{"report":"${i}","pages":${String(i).length}}`
          if (response.status !== 200 || response.body !== body) wrong.push(`#${i}`)
        },
      })
      const after = settledMemory()
      expect(wrong).toEqual([])

      const stalled = meter.stats()
      expect(largestQueue).toBeLessThanOrEqual(MAX_QUEUE_BYTES)
      expect(largestQueue).toBeGreaterThan(MAX_QUEUE_BYTES / 2)
      expect(stalled.droppedLines).toBeGreaterThan(0)
      // Megabytes of metrics were produced against a peer that read none of them; what is held is
      // the bounded queue plus kernel buffers, not the traffic.
      const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
      expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)
      expect(after.external - before.external).toBeLessThan(margin)

      // The peer reads again: what was queued (not dropped) arrives, and the books balance exactly.
      f.receiver.resume()
      await f.app.shutdown()
      const stats = meter.stats()
      await waitUntil(
        () => f.receiver.lines().length + stats.droppedLines >= stats.lines,
        'every line not dropped has arrived',
        10_000,
      )
      expect(f.receiver.lines().length).toBe(stats.lines - stats.droppedLines)
      expect(log.byKind()).toEqual({ 'queue-overflow': 1 })
      expect(f.watch.faults).toEqual([])
      console.info(
        `${factory.name}, stalled TCP peer: ${stats.lines} lines over ${total} requests, ${stats.droppedLines} dropped and counted, largest queue ${largestQueue} B (bound ${MAX_QUEUE_BYTES} B), heap growth ${after.heapUsed - before.heapUsed} B`,
      )
    })
  })
}
