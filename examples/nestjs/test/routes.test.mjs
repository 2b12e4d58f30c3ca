import { createRequire } from 'node:module'
import { startStatsdReceiver } from '@routemeter/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { send } from './http-client.mjs'
import { expectedCounts, PLATFORMS, scenariosFor } from './scenarios.mjs'

const { createApp } = createRequire(import.meta.url)('../dist/app.js')

/** Counts received, as `route method status` → count, from the tag-style counter lines. */
function receivedCounts(receiver) {
  const counts = {}
  for (const sample of receiver.find('http.server.requests')) {
    const { route, method, status_code: status } = sample.tags
    const key = `${route} ${method} ${status}`
    counts[key] = (counts[key] ?? 0) + Number(sample.values[0])
  }
  return counts
}

describe.each(PLATFORMS)('NestJS on platform-%s, measured by routemeter', (platform) => {
  const scenarios = scenariosFor(platform)
  let receiver
  beforeAll(async () => {
    receiver = await startStatsdReceiver()
  })
  afterAll(() => receiver.close())
  beforeEach(() => receiver.clear())

  it('counts every request served under its route template and the status sent; app.close() flushes', async () => {
    const app = await createApp(platform, {
      logger: false,
      // Explicit, so STATSD_* variables of whoever runs the tests cannot change what is checked;
      // no interval flush during the test: only app.close() can deliver the counts.
      metrics: {
        host: '127.0.0.1',
        port: receiver.port,
        naming: 'tags',
        prefix: '',
        globalTags: {},
        flushIntervalMs: 600_000,
      },
    })
    await app.listen(0, '127.0.0.1')
    const { port } = app.getHttpServer().address()
    const served = []
    for (const scenario of scenarios) {
      const status = await send(`http://127.0.0.1:${port}`, scenario)
      served.push({ what: scenario.what, status })
    }
    expect(served).toEqual(scenarios.map(({ what, status }) => ({ what, status })))
    expect(receiver.lines()).toEqual([])

    await app.close()
    const expected = expectedCounts(scenarios)
    const measured = Object.values(expected).reduce((sum, count) => sum + count, 0)
    await receiver.waitFor((r) => r.counter('http.server.requests') === measured)

    expect(receivedCounts(receiver)).toEqual(expected)
    expect(receiver.lines().some((line) => line.includes('health'))).toBe(false)
    // One latency sample per measured request, under the same labels.
    expect(receiver.timings('http.server.duration')).toHaveLength(measured)
    const byUserId = scenarios.filter(({ route }) => route === '/api/v1/users/:id')
    expect(receiver.timings('http.server.duration', { route: '/api/v1/users/:id' })).toHaveLength(
      byUserId.length,
    )
    // The handler's own timer, through @Metrics(): only requests that reach the handler have it
    // (not the 400 from ParseIntPipe).
    expect(
      receiver.timings('db.query', { route: '/api/v1/users/:id', method: 'GET' }),
    ).toHaveLength(scenarios.filter(({ timed }) => timed).length)
  })
})
