import { executionTimersSuite } from '@routemeter/conformance'
import { startStatsdReceiver } from '@routemeter/core/testing'
import Fastify from 'fastify'
import * as test from 'vitest'
import { afterEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { fastifyFactory } from './conformance-factory'
import { type MeasuredApp, measuredApp, NO_INTERVAL, settle } from './support'

// Timers under the route and method in both naming styles, nested prefixes, throwing functions,
// not-found handlers: the conformance suite. What is Fastify's own stays below.
executionTimersSuite({ test, factory: fastifyFactory })

/** A stand-in for a database call: resolves on the next turn of the event loop. */
const query = <T>(value: T): Promise<T> =>
  new Promise((resolve) => setImmediate(() => resolve(value)))

describe('request.metrics: execution timers tied to the route and method', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('asked for in a hook that runs before routemeter, it still belongs to the route', async () => {
    const receiver = await startStatsdReceiver({ protocol: 'udp' })
    const app = Fastify()
    subject = {
      app,
      receiver,
      async close() {
        await app.close()
        await receiver.close()
      },
    }
    app.addHook('onRequest', async (request) => {
      request.metrics.timer('auth.check')()
    })
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/secure/:id', async () => 'ok')
    await app.inject('/secure/1')
    await settle(app, receiver)
    expect(receiver.timings('auth.check', { route: '/secure/:id', method: 'GET' })).toHaveLength(1)
  })

  it('request.metrics is one cached object per route and method, not built per request', async () => {
    const seen: unknown[] = []
    subject = await measuredApp((app) => {
      app.get('/a', async (request) => {
        seen.push(request.metrics)
        return 'a'
      })
    })
    const { app } = subject
    await app.inject('/a')
    await app.inject('/a')
    expect(seen[0]).toBe(seen[1])
  })
})

describe('fastify.metrics: the meter, for application metrics', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('increment, gauge, timing, set, time and timer reach StatsD', async () => {
    subject = await measuredApp((app) => {
      app.post('/checkout', async function checkout() {
        this.metrics.increment('orders.placed', { channel: 'web' })
        this.metrics.increment('orders.items', 3)
        this.metrics.gauge('cart.size', 7)
        this.metrics.timing('payment.latency', 12.5)
        this.metrics.set('customers.unique', 'c-42')
        await this.metrics.time('fraud.check', () => query('clean'))
        this.metrics.timer('email.send')()
        return 'ok'
      })
    })
    const { app, receiver } = subject
    await app.inject({ method: 'POST', url: '/checkout' })
    await app.inject({ method: 'POST', url: '/checkout' })
    await settle(app, receiver)
    expect(receiver.counter('orders.placed', { channel: 'web' })).toBe(2)
    expect(receiver.counter('orders.items')).toBe(6)
    expect(receiver.gauge('cart.size')).toBe(7)
    expect(receiver.timings('payment.latency')).toEqual([12.5, 12.5])
    expect(receiver.setMembers('customers.unique')).toEqual(new Set(['c-42']))
    expect(receiver.timings('fraud.check')).toHaveLength(2)
    expect(receiver.timings('email.send')).toHaveLength(2)
  })
})
