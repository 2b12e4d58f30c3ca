import type { Meter } from '@routemeter/core'
import { type AdapterOptions, MAX_TAG_VALUE_LENGTH } from '@routemeter/core/adapter'
import { captureFaultWarnings, sendHttpLoad } from '@routemeter/test-support'
import type { AppSpec } from './adapter'
import { fixture } from './fixture'
import { NO_INTERVAL } from './net'
import { type SuiteContext, scaled } from './suite'

/**
 * Whatever a burst of requests records — thousands of samples between flushes, early flushes of
 * full series, tags up to past the documented length — no datagram is larger than
 * `maxBufferSize`. Every datagram the meter hands to hot-shots is measured (a pass-through spy on
 * the client's `sendMessage`), and every datagram the receiver gets is measured again.
 */

const REQUESTS = 10_000

interface Sent {
  sizes: number[]
  lines: number
}

/** Measures every payload the meter hands to its hot-shots client, then sends it on. */
function spyOnPayloads(meter: Meter): Sent {
  const sent: Sent = { sizes: [], lines: 0 }
  const client = meter.client as unknown as {
    sendMessage(message: string, callback: (error?: Error | null) => void): void
  }
  const sendMessage = client.sendMessage.bind(client)
  client.sendMessage = (message, callback) => {
    // hot-shots sends itself an empty message on close; it never reaches a socket.
    if (message !== '') {
      sent.sizes.push(Buffer.byteLength(message))
      sent.lines += message.split('\n').length
    }
    sendMessage(message, callback)
  }
  return sent
}

/** Tags of every length up to past the documented limit, so lines come in every size. */
const BURST: AppSpec = {
  routes: [
    {
      method: 'GET',
      path: '/burst/:n',
      handler({ params, metrics, meter }) {
        const n = Number(params.n)
        const tags = {
          long: 'v'.repeat(n % (MAX_TAG_VALUE_LENGTH + 50)),
          other: 'w'.repeat((n * 7) % (MAX_TAG_VALUE_LENGTH + 50)),
          third: 'x'.repeat((n * 13) % (MAX_TAG_VALUE_LENGTH + 50)),
        }
        metrics?.timer('burst.step', tags)()
        meter?.timing('burst.size', n, tags)
        meter?.increment(`burst.count.${n % 50}`, tags)
        return { text: 'ok' }
      },
    },
  ],
}

const CASES: ReadonlyArray<{
  maxBufferSize: number
  packValues?: boolean
  maxSamplesPerSeries?: number
}> = [
  { maxBufferSize: 512 },
  { maxBufferSize: 1432 },
  { maxBufferSize: 1432, packValues: true },
  { maxBufferSize: 1432, maxSamplesPerSeries: 50 },
  { maxBufferSize: 8192, packValues: true },
]

export function datagramSizeSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect } = test
  const requests = scaled(factory, REQUESTS)

  describe(`${factory.name}: datagrams never exceed maxBufferSize, whatever the burst`, () => {
    const f = fixture(test, 'udp', { faultFree: true })

    it.each(CASES)('%o', async (options) => {
      const log = captureFaultWarnings()
      f.app = await factory.start(BURST, {
        port: f.receiver.port,
        prefix: null,
        flushIntervalMs: NO_INTERVAL,
        logger: log.logger,
        ...(options as AdapterOptions),
      })
      const meter = f.app.meter as Meter
      const sent = spyOnPayloads(meter)

      const result = await sendHttpLoad({
        port: f.app.port,
        total: requests,
        request: (i) => ({ method: 'GET', path: `/burst/${i}` }),
      })
      expect(result.statuses).toEqual({ 200: requests })
      // One flush for the whole burst (plus early flushes of full series), at close.
      await f.app.shutdown()

      const stats = meter.stats()
      expect(sent.sizes.length).toBeGreaterThan(10)
      expect(Math.max(...sent.sizes)).toBeLessThanOrEqual(options.maxBufferSize)
      // Every line went out in exactly one datagram (`lines`), or was too long for any datagram
      // and is counted as dropped instead.
      expect(sent.lines).toBe(stats.lines)
      expect(stats.droppedLines).toBe(stats.faults['oversize-line'] ?? 0)
      if (options.maxBufferSize === 512) {
        expect(stats.droppedLines).toBeGreaterThan(0)
        expect(log.byKind()).toEqual({ 'oversize-line': 1 })
      } else {
        // Tag values are cut at the documented limit, so even the longest line fits 1432 bytes.
        expect(stats.droppedLines).toBe(0)
        expect(log.byKind()).toEqual({})
      }
      // What arrived (loopback UDP may drop some of a burst) is within the bound too.
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(f.receiver.packets.length).toBeGreaterThan(0)
      for (const packet of f.receiver.packets) {
        expect(Buffer.byteLength(packet, 'latin1')).toBeLessThanOrEqual(options.maxBufferSize)
      }
    })
  })
}
