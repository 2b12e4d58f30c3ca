import type { Meter } from '@routemeter/core'
import { HttpError } from './adapter'
import { fetchText } from './client'
import { type Measured, measured, NAMINGS } from './measured'
import type { SuiteContext } from './suite'

/**
 * What every request becomes: one count and one duration under its route template (or
 * `unmatched`), its method and the status sent — 2xx to 5xx, errors included, 404s of every
 * kind in one bucket, never a raw path or query string on the wire.
 */

class Deliberate extends Error {}

export function requestCountsSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  describe.each(NAMINGS)(
    `${factory.name}, %s naming: requests counted by route, method and status`,
    (naming) => {
      let subject: Measured | undefined
      afterEach(async () => {
        await subject?.close()
        subject = undefined
      })

      it('2xx, 3xx, 4xx and 5xx, each under its template, method, status code and class, with one duration each', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/users/:id',
                handler: ({ params }) => ({ json: { id: params.id } }),
              },
              {
                method: 'POST',
                path: '/users',
                handler: () => ({ status: 201, json: { created: true } }),
              },
              {
                method: 'GET',
                path: '/old-users/:id',
                handler: () => ({ status: 301, text: 'moved' }),
              },
              { method: 'GET', path: '/teapot', handler: () => ({ status: 418 }) },
              {
                method: 'DELETE',
                path: '/users/:id',
                handler: () => ({ status: 503, json: { retry: true } }),
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        expect((await fetchText(app.port, 'GET', '/users/1')).status).toBe(200)
        expect((await fetchText(app.port, 'GET', '/users/2')).status).toBe(200)
        expect((await fetchText(app.port, 'POST', '/users', '{}')).status).toBe(201)
        expect((await fetchText(app.port, 'GET', '/old-users/7')).status).toBe(301)
        expect((await fetchText(app.port, 'GET', '/teapot')).status).toBe(418)
        expect((await fetchText(app.port, 'DELETE', '/users/3')).status).toBe(503)
        await subject.settle()

        expect(read.series()).toEqual({
          [read.key('/users/:id', 'GET', 200)]: 2,
          [read.key('/users', 'POST', 201)]: 1,
          [read.key('/old-users/:id', 'GET', 301)]: 1,
          [read.key('/teapot', 'GET', 418)]: 1,
          [read.key('/users/:id', 'DELETE', 503)]: 1,
        })
        for (const [statusClass, count] of [
          ['2xx', 3],
          ['3xx', 1],
          ['4xx', 1],
          ['5xx', 1],
        ] as const) {
          expect(read.statusClass(statusClass)).toBe(count)
        }
        if (naming === 'tags') {
          expect(subject.receiver.counter('http.server.requests', { status_class: '2xx' })).toBe(3)
        }
        // One latency sample per request, on the same series.
        expect(read.durations('/users/:id', 'GET', 200)).toHaveLength(2)
        expect(read.durations('/users/:id', 'DELETE', 503)).toHaveLength(1)
        expect(read.allDurations()).toHaveLength(6)
      })

      it('labels come from the template, nested prefixes included, never the raw URL or query string', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/orders/:orderId/items/:itemId',
                handler: () => ({ text: 'ok' }),
              },
              {
                method: 'GET',
                path: '/:tenant/invoices/:id',
                prefix: '/api/v1',
                handler: () => ({ text: 'ok' }),
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        await fetchText(app.port, 'GET', '/orders/9f2c/items/42?expand=all')
        await fetchText(app.port, 'GET', '/api/v1/acmecorp/invoices/inv-xq?page=zz')
        await subject.settle()
        expect(read.count('/orders/:orderId/items/:itemId', 'GET', 200)).toBe(1)
        expect(read.count('/api/v1/:tenant/invoices/:id', 'GET', 200)).toBe(1)
        expect(read.total()).toBe(2)
        expect(subject.receiver.lines().join('\n')).not.toMatch(
          /9f2c|expand|acmecorp|inv-xq|page|zz/,
        )
      })

      it('HEAD requests on a GET route count as HEAD under the same route', async () => {
        subject = await measured(
          factory,
          { routes: [{ method: 'GET', path: '/ping', handler: () => ({ text: 'pong' }) }] },
          naming,
        )
        const { app, read } = subject
        expect((await fetchText(app.port, 'HEAD', '/ping')).status).toBe(200)
        await fetchText(app.port, 'GET', '/ping')
        await subject.settle()
        expect(read.series()).toEqual({
          [read.key('/ping', 'HEAD', 200)]: 1,
          [read.key('/ping', 'GET', 200)]: 1,
        })
      })

      it('the active-requests gauge is back to zero once every response is sent', async () => {
        subject = await measured(
          factory,
          { routes: [{ method: 'GET', path: '/', handler: () => ({ text: 'ok' }) }] },
          naming,
        )
        const { app } = subject
        await Promise.all([1, 2, 3].map(() => fetchText(app.port, 'GET', '/')))
        await subject.settle()
        expect(subject.meter.stats().activeRequests).toBe(0)
        expect(
          subject.receiver.gauge(
            naming === 'tags'
              ? 'http.server.active_requests'
              : 'gauges.http.server.active_requests',
          ),
        ).toBe(0)
      })
    },
  )

  describe.each(NAMINGS)(
    `${factory.name}, %s naming: requests no route matched go to one unmatched bucket`,
    (naming) => {
      let subject: Measured | undefined
      afterEach(async () => {
        await subject?.close()
        subject = undefined
      })

      it('the framework’s own 404: counted as unmatched, with a duration, and no raw path reaches the wire', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              { method: 'GET', path: '/users/:id', handler: () => ({ text: 'user' }) },
              {
                method: 'GET',
                path: '/orders',
                prefix: '/api',
                handler: () => ({ text: 'orders' }),
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        for (const path of [
          '/no-such-page-31337',
          '/api/no-such-resource-4242',
          '/a/b/c?x=wp-admin',
        ]) {
          expect((await fetchText(app.port, 'GET', path)).status).toBe(404)
        }
        expect((await fetchText(app.port, 'DELETE', '/users/1')).status).toBe(404)
        expect((await fetchText(app.port, 'POST', '/users/1', '{}')).status).toBe(404)
        expect((await fetchText(app.port, 'GET', '/users/1')).status).toBe(200)
        await subject.settle()

        expect(read.series()).toEqual({
          [read.key(null, 'GET', 404)]: 3,
          [read.key(null, 'DELETE', 404)]: 1,
          [read.key(null, 'POST', 404)]: 1,
          [read.key('/users/:id', 'GET', 200)]: 1,
        })
        expect(read.durations(null, 'GET', 404)).toHaveLength(3)
        const wire = subject.receiver.lines().join('\n')
        for (const raw of ['31337', '4242', 'no-such', 'wp-admin', 'a/b/c'])
          expect(wire).not.toContain(raw)
      })

      it('the app’s own not-found handler: the status it sends is the one counted, as unmatched', async () => {
        subject = await measured(
          factory,
          {
            routes: [{ method: 'GET', path: '/known', handler: () => ({ text: 'known' }) }],
            notFound: () => ({ status: 410, text: 'gone' }),
          },
          naming,
        )
        const { app, read } = subject
        expect(await fetchText(app.port, 'GET', '/unknown')).toEqual({ status: 410, body: 'gone' })
        await subject.settle()
        expect(read.series()).toEqual({ [read.key(null, 'GET', 410)]: 1 })
      })
    },
  )

  describe.each(NAMINGS)(
    `${factory.name}, %s naming: errors are counted once, with the status actually sent`,
    (naming) => {
      let subject: Measured | undefined
      afterEach(async () => {
        await subject?.close()
        subject = undefined
      })

      it('thrown errors, rejected promises and errors carrying a status, answered by the app’s error handler', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/throws',
                handler() {
                  throw new Deliberate('sync failure')
                },
              },
              {
                method: 'GET',
                path: '/rejects',
                async handler() {
                  await new Promise((resolve) => setImmediate(resolve))
                  throw new Deliberate('async failure')
                },
              },
              {
                method: 'PUT',
                path: '/conflict/:id',
                prefix: '/api',
                async handler() {
                  throw new HttpError(409, 'taken')
                },
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        expect(await fetchText(app.port, 'GET', '/throws')).toEqual({
          status: 500,
          body: '{"error":"sync failure"}',
        })
        expect((await fetchText(app.port, 'GET', '/rejects')).status).toBe(500)
        expect((await fetchText(app.port, 'PUT', '/api/conflict/3')).status).toBe(409)
        await subject.settle()
        expect(read.series()).toEqual({
          [read.key('/throws', 'GET', 500)]: 1,
          [read.key('/rejects', 'GET', 500)]: 1,
          [read.key('/api/conflict/:id', 'PUT', 409)]: 1,
        })
      })

      it('the app’s error handler decides the status, and that is the one recorded', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/invalid',
                handler() {
                  throw new Deliberate('bad input')
                },
              },
            ],
            onError: () => ({ status: 422, json: { invalid: true } }),
          },
          naming,
        )
        const { app, read } = subject
        expect((await fetchText(app.port, 'GET', '/invalid')).status).toBe(422)
        await subject.settle()
        expect(read.series()).toEqual({ [read.key('/invalid', 'GET', 422)]: 1 })
        expect((subject.meter as Meter).stats().activeRequests).toBe(0)
      })
    },
  )
}
