import { createRequire } from 'node:module'
import { startStatsdReceiver, waitUntil } from '@routemeter/core/testing'
import { openRawConnection, rawRequest } from '@routemeter/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PLATFORMS } from './scenarios.mjs'

const { createApp } = createRequire(import.meta.url)('../dist/app.js')

describe.each(PLATFORMS)('NestJS on platform-%s: a client that leaves', (platform) => {
  let receiver
  beforeAll(async () => {
    receiver = await startStatsdReceiver()
  })
  afterAll(() => receiver.close())

  it('an @Sse() stream the client closes is counted once, as 499, under its route', async () => {
    const app = await createApp(platform, {
      logger: false,
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
    const connection = await openRawConnection(app.getHttpServer().address().port)
    connection.write(rawRequest('GET', '/api/reports/2024/live'))
    // The head (200) and the first event are out: the stream is running when the client leaves.
    await waitUntil(() => connection.received().includes('"sales"'))
    expect(connection.statuses()).toEqual([200])
    connection.abort()
    await connection.closed

    await app.close()
    await receiver.waitFor((r) => r.counter('http.server.requests') === 1)
    expect(
      receiver.counter('http.server.requests', {
        route: '/api/reports/:year/live',
        method: 'GET',
        status_code: '499',
      }),
    ).toBe(1)
    expect(receiver.find('http.server.requests')).toHaveLength(1)
  })
})
