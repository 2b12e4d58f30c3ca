import { afterEach, describe, expect, it } from 'vitest'
import { createMeter, type Meter } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver } from '../src/testing'

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
})
