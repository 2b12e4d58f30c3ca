// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMeter } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver } from '../src/testing'

// Jest's jsdom environment (jest-environment-jsdom) runs tests with jsdom's window as the
// global object, which has no `setImmediate`; vitest's jsdom environment keeps Node's, so the
// test takes it away as Jest does.
describe('under jsdom without a global setImmediate (Jest)', () => {
  let receiver: StatsdReceiver | undefined
  afterEach(async () => {
    vi.unstubAllGlobals()
    await receiver?.close()
    receiver = undefined
  })

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`${protocol}: await meter.close() resolves, with the final flush sent`, {
      timeout: 15_000,
    }, async () => {
      expect('window' in globalThis).toBe(true)
      receiver = await startStatsdReceiver({ protocol })
      vi.stubGlobal('setImmediate', undefined)
      const meter = createMeter({ protocol, port: receiver.port, flushIntervalMs: 3_600_000 })
      meter.route('/users/:id').record('GET', 200, 4)
      meter.increment('jsdom.closed')
      await meter.close()
      expect(meter.stats().closed).toBe(true)
      // The global is not left behind.
      expect(globalThis.setImmediate).toBeUndefined()
      await receiver.waitFor(
        (r) => r.counter('jsdom.closed') === 1 && r.counter('http.server.requests') === 1,
      )
    })
  }
})
