import { afterEach, describe, expect, it } from 'vitest'
import { createMeter, type Meter } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver, waitUntil } from '../src/testing'
import { SlowPeer } from './support/slow-peer'

const quiet = { warn: () => {} }

describe('TCP transport', () => {
  let receiver: StatsdReceiver | undefined
  let meter: Meter | undefined
  afterEach(async () => {
    await meter?.close()
    await receiver?.close()
  })

  it('sends newline-terminated lines over one connection', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    meter = createMeter({ protocol: 'tcp', port: receiver.port })
    for (let i = 0; i < 500; i++) meter.route('/t').record('POST', 201, i)
    await meter.flush()
    await receiver.waitFor(
      (r) =>
        r.counter('http.server.requests') === 500 &&
        r.timings('http.server.duration').length === 500,
    )
    expect(receiver.connectionCount).toBe(1)
  })

  it('reconnects after the receiver is stopped and restarted; received + dropped = recorded', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    meter = createMeter({ protocol: 'tcp', port: receiver.port, logger: quiet })
    const m = meter
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) m.increment('ops')
      await m.flush()
    }
    await send(10)
    await receiver.waitFor((r) => r.counter('ops') === 10)

    await receiver.stop()
    for (let i = 0; i < 5; i++) {
      await send(10)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await receiver.start()
    await send(10)
    // Lines queued while the peer was away are delivered after the reconnect, so nothing is lost
    // unless the queue overflowed (it did not: these are a few hundred bytes).
    await receiver.waitFor((r) => r.counter('ops') === 70, 10_000)
    expect(receiver.lines().length + m.stats().droppedLines).toBe(m.stats().lines)
    expect(m.stats().droppedLines).toBe(0)
    expect(m.stats().faults['tcp-connection']).toBeGreaterThan(0)
  })

  it('StatsD down at start: the meter connects once it appears', async () => {
    const probe = await startStatsdReceiver({ protocol: 'tcp' })
    const port = probe.port
    await probe.stop()
    meter = createMeter({ protocol: 'tcp', port, logger: quiet })
    meter.increment('early')
    await meter.flush()
    await new Promise((resolve) => setTimeout(resolve, 150))
    receiver = await startStatsdReceiver({ protocol: 'tcp', port })
    meter.increment('late')
    await meter.flush()
    await receiver.waitFor((r) => r.counter('early') === 1 && r.counter('late') === 1, 10_000)
  })

  it('a stalled peer: the queue stays within maxQueueBytes, drops are counted, the caller never blocks', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    receiver.pause()
    const maxQueueBytes = 64 * 1024
    meter = createMeter({ protocol: 'tcp', port: receiver.port, maxQueueBytes, logger: quiet })
    await receiver.waitFor((r) => r.connectionCount === 1)
    const heapBefore = process.memoryUsage().heapUsed
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 5000; i++) meter.timing(`stall.metric_${i % 20}`, i)
      // Not awaited: with a stalled peer flush() resolves only at its timeout.
      void meter.flush()
      await new Promise((resolve) => setImmediate(resolve))
      expect(meter.stats().queuedBytes).toBeLessThanOrEqual(maxQueueBytes)
    }
    const stats = meter.stats()
    expect(stats.droppedLines).toBeGreaterThan(0)
    expect(stats.faults['queue-overflow']).toBeGreaterThan(0)
    // A million lines (~25 MB) went through; the heap did not grow by anything like that per stall.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024)
  })

  it('a healthy peer gets a flush larger than maxQueueBytes whole: 14 000 requests, defaults, nothing dropped', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    meter = createMeter({ protocol: 'tcp', port: receiver.port, flushIntervalMs: 3_600_000 })
    await receiver.waitFor((r) => r.connectionCount === 1)
    // ~1.2 MB of timer lines in one flush, over the 1 MB default bound.
    for (let i = 0; i < 14_000; i++) meter.route('/burst/:id').record('GET', 200, i)
    await meter.flush()
    await receiver.waitFor(
      (r) =>
        r.counter('http.server.requests') === 14_000 &&
        r.timings('http.server.duration').length === 14_000,
      10_000,
    )
    expect(receiver.bytes).toBeGreaterThan(1_048_576)
    expect(meter.stats()).toMatchObject({ droppedLines: 0, lines: 14_001 })
    expect(meter.stats().faults['queue-overflow']).toBeUndefined()
  })

  // A short-lived process (CLI, cron, serverless) flushes or closes before its first connect
  // completes: the data must wait for the connect (up to the settle deadline), not be dropped.
  it('close() while the first connect is pending (peer ~1 s away) delivers everything', async () => {
    const peer = await SlowPeer.start()
    try {
      meter = createMeter({ protocol: 'tcp', port: peer.port, logger: quiet })
      for (let i = 0; i < 50; i++) meter.route('/cli').record('POST', 201, i)
      await meter.close()
      expect(meter.stats()).toMatchObject({ lines: 51, droppedLines: 0, queuedBytes: 0 })
      await waitUntil(() => peer.lines().length === 51, 'the slow peer gets all 51 lines')
    } finally {
      peer.stop()
    }
  })

  it('flush() while the first connect is pending (peer ~1 s away) resolves once the data is written', async () => {
    const peer = await SlowPeer.start()
    try {
      meter = createMeter({ protocol: 'tcp', port: peer.port, logger: quiet })
      meter.increment('job.done', 7)
      await meter.flush()
      expect(meter.stats()).toMatchObject({ lines: 1, droppedLines: 0, queuedBytes: 0 })
      await waitUntil(() => peer.lines().includes('job.done:7|c'), 'the slow peer gets the line')
    } finally {
      peer.stop()
    }
  })

  it('a full queue drops the oldest lines: after the peer returns, the newest arrive', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    const port = receiver.port
    meter = createMeter({
      protocol: 'tcp',
      port,
      maxQueueBytes: 1024,
      maxBufferSize: 512,
      logger: quiet,
    })
    const m = meter
    await receiver.waitFor((r) => r.connectionCount === 1)
    await receiver.stop()
    await waitUntil(
      () => m.stats().faults['tcp-connection'] !== undefined,
      'the meter sees the peer gone',
    )
    // 300 numbered counters, one per flush: ~4 KB of lines through a 1 KB queue.
    for (let i = 0; i < 300; i++) {
      m.increment(`seq.n${String(i).padStart(3, '0')}`)
      await m.flush()
    }
    const dropped = m.stats().droppedLines
    expect(dropped).toBeGreaterThan(200)
    receiver = await startStatsdReceiver({ protocol: 'tcp', port })
    await receiver.waitFor((r) => r.lines().length === 300 - dropped, 15_000)
    const received = receiver.lines().map((line) => Number(line.slice(5, 8)))
    // Exactly the newest 300 - dropped, in order: 0 … dropped-1 were the ones lost.
    expect(received).toEqual(Array.from({ length: 300 - dropped }, (_, k) => dropped + k))
  })
})
