import { createMeter, type Meter, RoutemeterOptionError } from '@routemeter/core'
import { startStatsdReceiver } from '@routemeter/core/testing'
import { captureFaultWarnings } from '@routemeter/test-support'
import type { RouteSpec, StartedApp } from './adapter'
import { send } from './client'
import { type Measured, measured } from './measured'
import { NO_INTERVAL } from './net'
import type { SuiteContext } from './suite'

/**
 * Request labels (`labels`): extra tags read from the framework's own request object when the
 * request ends, each label capped at `maxLabelValues` distinct values. Faults of a label function
 * never reach the request. The label functions here read headers through the factory's
 * {@link AdapterFactory.readHeader}, i.e. through the framework's own API: a label given
 * anything but the framework's request object would throw and be recorded as `_error`.
 */
export function labelsSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test
  const tenant = (request: unknown) => factory.readHeader(request, 'x-tenant')

  describe(`${factory.name}: request labels`, () => {
    let subject: Measured | undefined
    let app: StartedApp | undefined
    afterEach(async () => {
      await subject?.close()
      subject = undefined
      await app?.dispose()
      app = undefined
    })

    it('a label read from the request tags the counter and the timer; a missing value is _none; labels run after the handler', async () => {
      const answered = new Set<string>()
      const routes: RouteSpec[] = [
        {
          method: 'GET',
          path: '/orders/:id',
          handler: ({ headers }) => {
            answered.add(String(headers['x-request-id']))
            return { json: { ok: true } }
          },
        },
      ]
      subject = await measured(factory, { routes }, 'tags', {
        labels: {
          tenant,
          // Evaluated when the request ends: by then the handler has run.
          phase: (request) =>
            answered.has(String(factory.readHeader(request, 'x-request-id'))) ? 'after' : 'before',
        },
      })
      const port = subject.app.port
      const get = (path: string, id: number, tenantName?: string) =>
        send(port, 'GET', path, {
          headers: {
            'x-request-id': String(id),
            ...(tenantName === undefined ? {} : { 'x-tenant': tenantName }),
          },
        })
      expect((await get('/orders/1', 1, 'acme')).status).toBe(200)
      expect((await get('/orders/2', 2, 'acme')).status).toBe(200)
      expect((await get('/orders/3', 3, 'globex')).status).toBe(200)
      expect((await get('/orders/4', 4)).status).toBe(200)
      expect((await get('/nowhere', 5, 'acme')).status).toBe(404)
      await subject.settle()
      const { receiver, read } = subject
      const route = read.label('/orders/:id')
      const count = (tags: Record<string, string>) => receiver.counter('http.server.requests', tags)
      expect(count({ route, tenant: 'acme', phase: 'after' })).toBe(2)
      expect(count({ route, tenant: 'globex', phase: 'after' })).toBe(1)
      expect(count({ route, tenant: '_none', phase: 'after' })).toBe(1)
      // The 404 ran no handler: `before`, and still tagged, under the unmatched bucket.
      expect(count({ route: 'unmatched', tenant: 'acme', status_code: '404' })).toBe(1)
      expect(receiver.timings('http.server.duration', { route, tenant: 'acme' })).toHaveLength(2)
      // Every request series carries both label keys, as statsd_exporter wants.
      const requestLines = receiver.find('http.server.requests')
      expect(requestLines.length).toBeGreaterThan(0)
      for (const sample of requestLines) {
        expect(Object.keys(sample.tags)).toEqual(expect.arrayContaining(['tenant', 'phase']))
      }
      expect(read.total()).toBe(5)
      expect(subject.meter.stats().faults).toEqual({})
    })

    it('a label function that throws never touches the request: answered as usual, recorded under _error, counted, logged once', async () => {
      const log = captureFaultWarnings()
      subject = await measured(
        factory,
        { routes: [{ method: 'GET', path: '/ping', handler: () => ({ text: 'pong' }) }] },
        'tags',
        {
          logger: log.logger,
          labels: {
            tenant(request) {
              const value = tenant(request)
              if (value === 'boom') throw new Error('tenant lookup failed')
              return value
            },
          },
        },
      )
      const port = subject.app.port
      for (let i = 0; i < 3; i++) {
        const answer = await send(port, 'GET', '/ping', { headers: { 'x-tenant': 'boom' } })
        expect(answer).toMatchObject({ status: 200, body: 'pong' })
      }
      await send(port, 'GET', '/ping', { headers: { 'x-tenant': 'fine' } })
      await subject.settle()
      const route = subject.read.label('/ping')
      expect(subject.receiver.counter('http.server.requests', { route, tenant: '_error' })).toBe(3)
      expect(subject.receiver.counter('http.server.requests', { route, tenant: 'fine' })).toBe(1)
      expect(subject.meter.stats().faults).toEqual({ label: 3 })
      expect(log.byKind()).toEqual({ label: 1 })
      expect(log.messages[0]).toMatch(/label "tenant" threw: tenant lookup failed/)
    })

    it('maxLabelValues: distinct values beyond the cap are _other, counted in stats().overflowed and logged once', async () => {
      const log = captureFaultWarnings()
      subject = await measured(
        factory,
        { routes: [{ method: 'GET', path: '/ping', handler: () => ({ text: 'pong' }) }] },
        'tags',
        { logger: log.logger, labels: { tenant }, maxLabelValues: 2 },
      )
      for (const name of ['a', 'b', 'c', 'd', 'a', 'e']) {
        await send(subject.app.port, 'GET', '/ping', { headers: { 'x-tenant': name } })
      }
      await subject.settle()
      const count = (value: string) =>
        subject?.receiver.counter('http.server.requests', { tenant: value })
      expect([count('a'), count('b'), count('_other')]).toEqual([2, 1, 3])
      expect(count('c')).toBe(0)
      expect(subject.meter.stats().overflowed).toBe(3)
      expect(log.byKind()).toEqual({ 'label-cap': 1 })
    })

    it('a shared meter carries the labels (createMeter({ labels })); labels beside `meter` or with path naming fail at start-up', async () => {
      const receiver = await startStatsdReceiver()
      const meter: Meter = createMeter({
        port: receiver.port,
        prefix: null,
        flushIntervalMs: NO_INTERVAL,
        labels: { tenant },
      })
      try {
        const spec = {
          routes: [{ method: 'GET', path: '/ping', handler: () => ({ text: 'pong' }) }],
        }
        app = await factory.start(spec, { meter })
        await send(app.port, 'GET', '/ping', { headers: { 'x-tenant': 'acme' } })
        await meter.flush()
        await receiver.waitFor((r) => r.counter('http.server.requests', { tenant: 'acme' }) === 1)
        const misplaced = factory.start(spec, { meter, labels: { tenant } })
        await expect(misplaced).rejects.toThrow(RoutemeterOptionError)
        await expect(factory.start(spec, { meter, labels: { tenant } })).rejects.toThrow(
          /createMeter\(\{ labels \}\)/,
        )
        await expect(
          factory.start(spec, { enabled: false, naming: 'path', labels: { tenant } }),
        ).rejects.toThrow(/no labels with naming "path"/)
      } finally {
        await app?.dispose()
        app = undefined
        await meter.close()
        await receiver.close()
      }
    })
  })
}
