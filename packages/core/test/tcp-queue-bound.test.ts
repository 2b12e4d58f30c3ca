import { setImmediate as nextCheck } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeter, type Meter } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver, waitUntil } from '../src/testing'

const quiet = { warn: () => {} }

describe('TCP send queue bound against a peer that stops reading', () => {
  let receiver: StatsdReceiver | undefined
  let meter: Meter | undefined
  afterEach(async () => {
    await meter?.close()
    await receiver?.close()
  })

  // The flush is exempt while the socket takes everything; here the kernel buffers fill in the
  // middle of it. What the socket refused used to stay queued (megabytes against a 64 KiB bound)
  // until the next write: the conformance suite's stalled peer saw 77 656 B against 65 536 B.
  it('a flush larger than the kernel buffers: once the turn ends, what the socket refused is held to maxQueueBytes', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    receiver.pause()
    const maxQueueBytes = 64 * 1024
    meter = createMeter({ protocol: 'tcp', port: receiver.port, maxQueueBytes, logger: quiet })
    const m = meter
    await receiver.waitFor((r) => r.connectionCount === 1)
    // ~11 MB of timer lines in one flush, more than loopback's kernel buffers take unread.
    for (let i = 0; i < 400_000; i++) m.timing(`refused.metric_${i % 50}`, i)
    void m.flush()
    await nextCheck()
    await nextCheck()

    const stalled = m.stats()
    expect(stalled.droppedLines).toBeGreaterThan(0)
    expect(stalled.faults['queue-overflow']).toBe(1)
    expect(stalled.queuedBytes).toBeGreaterThan(0)
    expect(stalled.queuedBytes).toBeLessThanOrEqual(maxQueueBytes)

    // The peer reads again: every line not dropped arrives.
    receiver.resume()
    await waitUntil(
      () => receiver?.lines().length === stalled.lines - stalled.droppedLines,
      'every line not dropped arrives',
      20_000,
    )
    expect(m.stats().droppedLines).toBe(stalled.droppedLines)
  })
})
