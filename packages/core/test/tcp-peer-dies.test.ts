import { afterEach, describe, expect, it } from 'vitest'
import { createMeter, type Meter } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver } from '../src/testing'

const quiet = { warn: () => {} }

describe('TCP: a peer that dies while a large flush is being written', () => {
  let receiver: StatsdReceiver | undefined
  let meter: Meter | undefined
  afterEach(async () => {
    await meter?.close()
    await receiver?.close()
  })

  it('no line arrives twice (in-flight writes re-queued after the peer dies are not duplicated)', async () => {
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
    const port = receiver.port
    meter = createMeter({
      protocol: 'tcp',
      port,
      maxQueueBytes: 64 * 1024 * 1024,
      flushIntervalMs: 3_600_000,
      logger: quiet,
    })
    const m = meter
    await receiver.waitFor((r) => r.connectionCount === 1)
    const total = 300_000
    for (let i = 0; i < total; i++) m.timing('seq.numbered', i)
    void m.flush()
    // Kill the connection mid-stream, then come back on the same port.
    await receiver.waitFor((r) => r.bytes > 2_000_000, 20_000)
    await receiver.stop()
    await receiver.start()
    await receiver.waitFor((r) => r.connectionCount === 1, 10_000)
    // Everything left is written once the queue is empty and the receiver stops getting lines.
    let lastCount = -1
    await receiver.waitFor((r) => {
      const settled = m.stats().queuedBytes === 0 && r.lines().length === lastCount
      lastCount = r.lines().length
      return settled
    }, 20_000)
    const lines = receiver.lines()
    const seen = new Set(lines)
    expect(lines.length - seen.size).toBe(0)
    // Bytes the dying peer's kernel had accepted are lost unseen: StatsD has no acknowledgements.
    expect(lines.length + m.stats().droppedLines).toBeLessThanOrEqual(total)
  })
})
