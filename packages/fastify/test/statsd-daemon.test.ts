import { type StatsdDaemon, startStatsdDaemon } from '@routemeter/core/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { NO_INTERVAL, readUntil } from './support'

/** The same app in both naming styles; what the real Etsy daemon makes of it is checked below. */
async function shop(daemon: StatsdDaemon, naming: 'tags' | 'path'): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(routemeter, { port: daemon.port, naming, flushIntervalMs: NO_INTERVAL })
  app.get('/users/:id', async (request) => {
    await request.metrics.time('db.query', async () => 'row')
    return { id: 1 }
  })
  app.post('/users', async (_request, reply) => reply.code(201).send())
  app.get('/broken', async () => {
    throw new Error('boom')
  })
  for (let i = 0; i < 3; i++) await app.inject(`/users/${i}`)
  await app.inject({ method: 'POST', url: '/users' })
  await app.inject('/broken')
  await app.inject('/no/such/page')
  return app
}

describe('the real npm statsd daemon parses what the plugin sends', () => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())
  beforeEach(() => daemon.clear())

  it('tag style: one series per route, method and status, tags kept as Graphite tags', async () => {
    const app = await shop(daemon, 'tags')
    await app.close()
    const series = (route: string, method: string, status: number) =>
      `http.server.requests;route=${route};method=${method};status_code=${status};status_class=${Math.floor(status / 100)}xx`
    const expected = {
      [series('-users-id', 'GET', 200)]: 3,
      [series('-users', 'POST', 201)]: 1,
      [series('-broken', 'GET', 500)]: 1,
      [series('unmatched', 'GET', 404)]: 1,
    }
    const counters = await daemon.waitForCounters((c) =>
      Object.keys(expected).every((key) => key in c),
    )
    for (const [key, count] of Object.entries(expected))
      expect({ key, count: counters[key] }).toEqual({ key, count })
    const timers = await readUntil(
      () => daemon.timers(),
      (t) =>
        t['db.query;route=-users-id;method=GET']?.length === 3 &&
        t['http.server.duration;route=-users-id;method=GET;status_code=200;status_class=2xx']
          ?.length === 3,
      'the timer samples',
    )
    expect(timers['db.query;route=-users-id;method=GET']).toHaveLength(3)
    expect(
      timers['http.server.duration;route=-users-id;method=GET;status_code=200;status_class=2xx'],
    ).toHaveLength(3)
    expect(counters['statsd.bad_lines_seen']).toBe(0)
  })

  it('path style: counters and timers under the route segments, execution timers included', async () => {
    const app = await shop(daemon, 'path')
    await app.close()
    const expected = {
      'counters.users._id.GET.200': 3,
      'counters.users.POST.201': 1,
      'counters.broken.GET.500': 1,
      'counters._unmatched.GET.404': 1,
    }
    const counters = await daemon.waitForCounters((c) =>
      Object.keys(expected).every((key) => key in c),
    )
    for (const [key, count] of Object.entries(expected))
      expect({ key, count: counters[key] }).toEqual({ key, count })
    const timers = await readUntil(
      () => daemon.timers(),
      (t) =>
        t['timers.users._id.GET.db.query']?.length === 3 &&
        t['timers.users._id.GET.200']?.length === 3,
      'the timer samples',
    )
    expect(timers['timers.users._id.GET.db.query']).toHaveLength(3)
    expect(timers['timers.users._id.GET.200']).toHaveLength(3)
    expect(counters['statsd.bad_lines_seen']).toBe(0)
  })
})
