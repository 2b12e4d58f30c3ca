import { startStatsdDaemon } from '@routemeter/core/testing'
import { killServers, startServer } from '@routemeter/example-shared/server-process'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { send } from './http-client.mjs'
import { PLATFORMS } from './scenarios.mjs'

async function sendTimes(url, request, times) {
  const statuses = []
  for (let i = 0; i < times; i++) statuses.push(await send(url, request))
  return statuses
}

describe.each(PLATFORMS)(
  'the Nest app on platform-%s as a process, pushing to the real statsd daemon',
  (platform) => {
    let daemon
    beforeAll(async () => {
      daemon = await startStatsdDaemon()
    })
    afterAll(() => daemon?.close())
    beforeEach(() => daemon.clear())
    afterEach(killServers)

    it('on SIGTERM, enableShutdownHooks closes the app and every count is flushed', async () => {
      const server = await startServer({
        PLATFORM: platform,
        STATSD_PORT: String(daemon.port),
        STATSD_NAMING: 'path',
        STATSD_PREFIX: 'nest',
        // No interval flush during the test: only the shutdown flush can deliver the counts.
        STATSD_FLUSH_INTERVAL_MS: '600000',
      })
      expect(await sendTimes(server.url, { method: 'GET', path: '/api/v1/users/1' }, 20)).toEqual(
        Array(20).fill(200),
      )
      const notFound = { method: 'GET', path: '/api/v1/users/999' }
      expect(await sendTimes(server.url, notFound, 10)).toEqual(Array(10).fill(404))
      const crash = { method: 'POST', path: '/api/reports/2024/rebuild' }
      expect(await sendTimes(server.url, crash, 5)).toEqual(Array(5).fill(500))
      expect(await sendTimes(server.url, { method: 'GET', path: '/nope' }, 5)).toEqual(
        Array(5).fill(404),
      )

      // Nest closes the app, then raises the signal again to end the process.
      expect(await server.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' })

      const expected = {
        'nest.counters.api.v1.users._id.GET.200': 20,
        'nest.counters.api.v1.users._id.GET.404': 10,
        'nest.counters.api.reports._year.rebuild.POST.500': 5,
        'nest.counters._unmatched.GET.404': 5,
      }
      const counters = await daemon.waitForCounters((c) =>
        Object.keys(expected).every((key) => c[key] === expected[key]),
      )
      const received = Object.fromEntries(
        Object.entries(counters).filter(([key]) => key.startsWith('nest.counters.')),
      )
      expect(received).toEqual(expected)
      expect(counters['statsd.bad_lines_seen']).toBe(0)
      expect((await daemon.timers())['nest.timers.api.v1.users._id.GET.200']).toHaveLength(20)
    })

    it('fails fast at startup, naming the variable, when a STATSD_* value is invalid', async () => {
      await expect(startServer({ PLATFORM: platform, STATSD_PORT: 'eighty' })).rejects.toThrow(
        /exited \(1\) before listening:[\s\S]*STATSD_PORT/,
      )
    })
  },
)
