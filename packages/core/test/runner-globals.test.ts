import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMeter } from '../src/index'
import { createCaptureMeter, type StatsdReceiver, startStatsdReceiver } from '../src/testing'

// Test runners replace globals: Jest 26's node environment has no `performance`, jsdom's
// `setInterval`/`setTimeout` return numbers without `unref()`. Core must not depend on them.
describe('test-runner globals', () => {
  let receiver: StatsdReceiver | undefined
  afterEach(async () => {
    vi.unstubAllGlobals()
    await receiver?.close()
    receiver = undefined
  })

  it('without a global `performance`, requests, timers and execution timers are recorded', async () => {
    const capture = createCaptureMeter()
    const { meter } = capture
    vi.stubGlobal('performance', undefined)
    expect(globalThis.performance).toBeUndefined()
    const startedAt = meter.requestStarted()
    const stop = meter.timer('job.step')
    const stopScoped = meter.route('/items').scope('GET').timer('db.query')
    meter.time('job.inline', () => 1)
    stopScoped()
    stop()
    meter.requestEnded(meter.route('/items'), 'GET', 200, startedAt)
    vi.unstubAllGlobals()
    await meter.flush()
    expect(capture.counter('http.server.requests')).toBe(1)
    expect(capture.timings('http.server.duration')).toHaveLength(1)
    expect(capture.timings('job.step')).toHaveLength(1)
    expect(capture.timings('job.inline')).toHaveLength(1)
    expect(capture.timings('db.query')).toHaveLength(1)
    expect(capture.find('http.server.active_requests')[0]?.values).toEqual(['0'])
  })

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`${protocol}: with timers that return numbers (jsdom), a meter starts, sends, reconnects and closes`, async () => {
      const numbers = () => 1
      receiver = await startStatsdReceiver({ protocol })
      vi.stubGlobal('setInterval', numbers)
      vi.stubGlobal('setTimeout', numbers)
      vi.stubGlobal('setImmediate', numbers)
      const warnings: string[] = []
      const meter = createMeter({
        protocol,
        port: receiver.port,
        logger: { warn: (m) => warnings.push(m) },
      })
      meter.increment('jsdom.ok')
      const flushed = meter.flush()
      vi.unstubAllGlobals()
      await flushed
      await receiver.waitFor((r) => r.counter('jsdom.ok') === 1)
      if (protocol === 'tcp') {
        // The peer goes away: the reconnect timer is scheduled under the number-returning timers.
        vi.stubGlobal('setTimeout', numbers)
        await receiver.stop()
        await new Promise((resolve) => process.nextTick(resolve))
        vi.unstubAllGlobals()
        await receiver.start()
        await receiver.waitFor((r) => r.connectionCount === 1, 10_000)
      }
      await meter.close()
      expect(warnings.filter((w) => w.includes('unref'))).toEqual([])
    })
  }
})
