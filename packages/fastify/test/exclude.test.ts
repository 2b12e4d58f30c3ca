import { RoutemeterOptionError } from '@routemeter/core'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

describe('excluded paths are not measured', () => {
  let subject: MeasuredApp | undefined
  afterEach(async () => {
    await subject?.close()
    subject = undefined
  })

  it('exact paths and RegExps, with or without a query string, matched routes or not', async () => {
    subject = await measuredApp(
      (app) => {
        app.get('/health', async () => 'ok')
        app.get('/internal/:probe', async () => 'ok')
        app.get('/users/:id', async (request) => {
          request.metrics.timer('db.query')()
          return 'user'
        })
      },
      { exclude: ['/health', '/favicon.ico', /^\/internal\//, /^\/users\/0$/] },
    )
    const { app, receiver } = subject
    await app.inject('/health')
    await app.inject('/health?probe=k8s')
    await app.inject('/internal/ready')
    await app.inject('/favicon.ico')
    await app.inject('/users/0')
    await app.inject('/users/1')
    await app.inject('/healthz')
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /users/:id 200': 1, 'GET unmatched 404': 1 })
    // The excluded /users/0 ran the same handler; its timer was not recorded either.
    expect(receiver.timings('db.query', { route: '/users/:id' })).toHaveLength(1)
    expect(app.metrics.stats().activeRequests).toBe(0)
  })

  it('an exclude list that is not an array of paths or RegExps fails at startup', async () => {
    const app = Fastify()
    const bad = { exclude: ['/ok', 42] } as unknown as { exclude: string[] }
    await expect(app.register(routemeter, { enabled: false, ...bad })).rejects.toThrow(
      RoutemeterOptionError,
    )
    await app.close()
  })
})
