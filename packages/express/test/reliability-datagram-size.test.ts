import http from 'node:http'
import { MAX_TAG_VALUE_LENGTH } from '@routemeter/core'
import {
  captureFaultWarnings,
  type ProcessFaultWatch,
  type StatsdReceiver,
  sendHttpLoad,
  startStatsdReceiver,
  watchProcessFaults,
} from '@routemeter/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from '../src/index'
import { closeServer, listen } from './support/async'
import { MAJORS } from './support/harness'

/**
 * Whatever a burst of requests records — thousands of samples between flushes, early flushes of
 * full series, tags up to past the documented length — no datagram is larger than
 * `maxBufferSize`. Every datagram the meter hands to hot-shots is measured (a pass-through spy on
 * the client's `sendMessage`), and every datagram the receiver gets is measured again.
 */

const REQUESTS = 5_000

interface Sent {
  sizes: number[]
  lines: number
}

/** Measures every payload the meter hands to its hot-shots client, then sends it on. */
function spyOnPayloads(metrics: RoutemeterMiddleware): Sent {
  const sent: Sent = { sizes: [], lines: 0 }
  const client = metrics.meter.client as unknown as {
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

describe.each(MAJORS)(
  '$major: datagrams never exceed maxBufferSize, whatever the burst',
  ({ express }) => {
    let watch: ProcessFaultWatch
    let receiver: StatsdReceiver
    beforeEach(async () => {
      watch = watchProcessFaults()
      receiver = await startStatsdReceiver({ protocol: 'udp' })
    })
    afterEach(async () => {
      expect(watch.faults).toEqual([])
      watch.stop()
      await receiver.close()
    })

    it.each(CASES)('%o', async (options) => {
      const log = captureFaultWarnings()
      const metrics = routemeter({
        port: receiver.port,
        prefix: null,
        flushIntervalMs: 3_600_000,
        logger: log.logger,
        ...(options as RoutemeterOptions),
      })
      const app = express()
      app.use(metrics)
      // Tags of every length up to past the documented limit, so lines come in every size.
      app.get('/burst/:n', (req, res) => {
        const n = Number(req.params.n)
        const tags = {
          long: 'v'.repeat(n % (MAX_TAG_VALUE_LENGTH + 50)),
          other: 'w'.repeat((n * 7) % (MAX_TAG_VALUE_LENGTH + 50)),
          third: 'x'.repeat((n * 13) % (MAX_TAG_VALUE_LENGTH + 50)),
        }
        req.metrics.timer('burst.step', tags)()
        metrics.meter.timing('burst.size', n, tags)
        metrics.meter.increment(`burst.count.${n % 50}`, tags)
        res.send('ok')
      })
      const server = http.createServer(app)
      const port = await listen(server)
      const sent = spyOnPayloads(metrics)

      const result = await sendHttpLoad({
        port,
        total: REQUESTS,
        request: (i) => ({ method: 'GET', path: `/burst/${i}` }),
      })
      expect(result.statuses).toEqual({ 200: REQUESTS })
      // One flush for the whole burst (plus early flushes of full series), at close.
      await closeServer(server)
      await metrics.close()

      const stats = metrics.meter.stats()
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
      expect(receiver.packets.length).toBeGreaterThan(0)
      for (const packet of receiver.packets) {
        expect(Buffer.byteLength(packet, 'latin1')).toBeLessThanOrEqual(options.maxBufferSize)
      }
    })
  },
)
