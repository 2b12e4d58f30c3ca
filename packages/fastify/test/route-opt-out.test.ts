import { RoutemeterOptionError } from '@routemeter/core'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { type MeasuredApp, measuredApp, NO_INTERVAL, requestSeries, settle } from './support'

// `config: { metrics: false }` recording nothing: the conformance suite (exclude.test.ts).
describe('routes opt out or relabel themselves through route config', () => {
  let subject: MeasuredApp | undefined
  afterEach(async () => {
    await subject?.close()
    subject = undefined
  })

  it('config: { metrics: { route } } records under the given label', async () => {
    subject = await measuredApp((app) => {
      app.get(
        '/legacy/users/:id',
        { config: { metrics: { route: '/users/:id' } } },
        async () => 'old',
      )
      app.get('/users/:id', async () => 'new')
      app.get('/flagged', { config: { metrics: true } }, async () => 'default')
    })
    const { app, receiver } = subject
    await app.inject('/legacy/users/1')
    await app.inject('/users/2')
    await app.inject('/flagged')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /users/:id 200': 2, 'GET /flagged 200': 1 })
  })

  it('other plugins keep their own route config keys alongside metrics', async () => {
    subject = await measuredApp((app) => {
      app.get(
        '/both',
        { config: { metrics: { route: 'both' }, owner: 'team-a' } },
        async (request) => {
          return (request.routeOptions.config as { owner?: string }).owner
        },
      )
    })
    const { app, receiver } = subject
    expect((await app.inject('/both')).body).toBe('team-a')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET both 200': 1 })
  })

  it('a malformed setting fails at startup, naming the route', async () => {
    const app = Fastify()
    await app.register(routemeter, { enabled: false, flushIntervalMs: NO_INTERVAL })
    const bad = { metrics: { label: 'typo' } } as unknown as { metrics: false }
    await expect(async () => {
      app.get('/typo', { config: bad }, async () => 'x')
      await app.ready()
    }).rejects.toThrow(RoutemeterOptionError)
    await expect(
      (async () => {
        const other = Fastify()
        await other.register(routemeter, { enabled: false })
        other.get('/empty', { config: { metrics: { route: ' ' } } }, async () => 'x')
        await other.ready()
      })(),
    ).rejects.toThrow(/config\.metrics\.route of route GET \/empty/)
    await app.close()
  })
})
