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
import { listen } from './support'

/**
 * A TCP StatsD that stops reading (alive, connected, never draining its socket): the kernel
 * buffers fill, then routemeter's send queue. The queue must stay within `maxQueueBytes`, the
 * oldest metrics go first and are counted, and the app answers every request as usual.
 */

const TOTAL = 40_000
const MAX_QUEUE_BYTES = 64 * 1024
const STEPS = ['parse', 'authorize', 'load', 'render'] as const

describe('a stalled TCP StatsD (receiver stops reading) under load (Fastify)', () => {
  let watch: ProcessFaultWatch
  let receiver: StatsdReceiver
  beforeEach(async () => {
    watch = watchProcessFaults()
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
  })
  afterEach(async () => {
    watch.stop()
    await receiver.close()
  })

  it('the queue stays within maxQueueBytes, drops are counted, responses are unaffected', async () => {
    const log = captureFaultWarnings()
    const app = Fastify()
    await app.register(routemeter, {
      protocol: 'tcp',
      port: receiver.port,
      flushIntervalMs: 10,
      maxQueueBytes: MAX_QUEUE_BYTES,
      logger: log.logger,
    })
    app.get<{ Params: { id: string } }>('/reports/:id', async (request) => {
      for (const step of STEPS) request.metrics.timer(`report.${step}`)()
      return { report: request.params.id, pages: request.params.id.length }
    })
    const port = await listen(app)
    await waitUntil(() => receiver.connectionCount === 1, 'the meter connected')
    receiver.pause()

    const before = settledMemory()
    let largestQueue = 0
    const wrong: string[] = []
    await sendHttpLoad({
      port,
      total: TOTAL,
      request: (i) => ({ method: 'GET', path: `/reports/${i}` }),
      onResponse(i, response) {
        largestQueue = Math.max(largestQueue, app.metrics.stats().queuedBytes)
        const body = `{"report":"${i}","pages":${String(i).length}}`
        if (response.status !== 200 || response.body !== body) wrong.push(`#${i}`)
      },
    })
    const after = settledMemory()
    expect(wrong).toEqual([])

    const stalled = app.metrics.stats()
    expect(largestQueue).toBeLessThanOrEqual(MAX_QUEUE_BYTES)
    expect(largestQueue).toBeGreaterThan(MAX_QUEUE_BYTES / 2)
    expect(stalled.droppedLines).toBeGreaterThan(0)
    // ~16 MB of metrics were produced against a peer that read none of them; what is held is the
    // bounded queue plus kernel buffers, not the traffic.
    const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
    expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)
    expect(after.external - before.external).toBeLessThan(margin)

    // The peer reads again: what was queued (not dropped) arrives, and the books balance exactly.
    receiver.resume()
    await app.close()
    const stats = app.metrics.stats()
    await waitUntil(
      () => receiver.lines().length + stats.droppedLines >= stats.lines,
      'every line not dropped has arrived',
      10_000,
    )
    expect(receiver.lines().length).toBe(stats.lines - stats.droppedLines)
    expect(log.byKind()).toEqual({ 'queue-overflow': 1 })
    expect(watch.faults).toEqual([])
    console.info(
      `Fastify, stalled TCP peer: ${stats.lines} lines over ${TOTAL} requests, ${stats.droppedLines} dropped and counted, largest queue ${largestQueue} B (bound ${MAX_QUEUE_BYTES} B), heap growth ${after.heapUsed - before.heapUsed} B`,
    )
  })
})
