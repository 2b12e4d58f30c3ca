import { fetchText } from './client'
import { type Measured, measured } from './measured'
import { itIf, type SuiteContext } from './suite'

/**
 * Paths the app does not want measured — health checks, probes — are left out by the `exclude`
 * option (exact paths and RegExps, query string or not, matched routes or not) or, where the
 * framework has per-route options, by the route itself. Either way nothing is recorded for them,
 * their execution timers included, and they are not left "active".
 */

export function excludeSuite(context: SuiteContext): void {
  const { test, factory } = context
  const { describe, it, expect, afterEach } = test
  const optOut = itIf(context, 'routeOptOut')

  describe(`${factory.name}: excluded paths and opted-out routes are not measured`, () => {
    let subject: Measured | undefined
    afterEach(async () => {
      await subject?.close()
      subject = undefined
    })

    it('exclude: exact paths and RegExps, with or without a query string, matched routes or not; their timers record nothing', async () => {
      subject = await measured(
        factory,
        {
          routes: [
            {
              method: 'GET',
              path: '/health',
              handler: ({ metrics }) => ({ text: String(metrics?.time('probe', () => 'ok')) }),
            },
            {
              method: 'GET',
              path: '/internal/:probe',
              handler({ metrics }) {
                metrics?.timer('probe')()
                return { text: 'internal' }
              },
            },
            {
              method: 'GET',
              path: '/users/:id',
              handler({ metrics }) {
                metrics?.timer('db.query')()
                return { text: 'user' }
              },
            },
          ],
        },
        'tags',
        { exclude: ['/health', '/favicon.ico', /^\/internal\//, /^\/users\/0$/] },
      )
      const { app, read } = subject
      expect(await fetchText(app.port, 'GET', '/health')).toEqual({ status: 200, body: 'ok' })
      expect((await fetchText(app.port, 'GET', '/health?probe=k8s')).status).toBe(200)
      expect((await fetchText(app.port, 'GET', '/internal/ready')).status).toBe(200)
      expect((await fetchText(app.port, 'GET', '/favicon.ico')).status).toBe(404)
      expect((await fetchText(app.port, 'GET', '/users/0')).status).toBe(200)
      expect((await fetchText(app.port, 'GET', '/users/1')).status).toBe(200)
      expect((await fetchText(app.port, 'GET', '/healthz')).status).toBe(404)
      await subject.settle()
      expect(read.series()).toEqual({
        [read.key('/users/:id', 'GET', 200)]: 1,
        [read.key(null, 'GET', 404)]: 1,
      })
      // The excluded /users/0 ran the same handler; its timer was not recorded either.
      expect(subject.receiver.timings('db.query', { route: '/users/:id' })).toHaveLength(1)
      expect(subject.receiver.find('probe')).toHaveLength(0)
      expect(subject.meter.stats().activeRequests).toBe(0)
    })

    optOut.it(
      `a route that opts out records nothing, its timers included, and still answers${optOut.suffix}`,
      async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/internal/debug',
                measured: false,
                handler({ metrics }) {
                  metrics?.timer('debug.work')()
                  return { text: String(metrics?.time('debug.sync', () => 'still works')) }
                },
              },
              { method: 'GET', path: '/public', handler: () => ({ text: 'ok' }) },
            ],
          },
          'tags',
        )
        const { app, read } = subject
        expect((await fetchText(app.port, 'GET', '/internal/debug')).body).toBe('still works')
        await fetchText(app.port, 'GET', '/public')
        await subject.settle()
        expect(read.series()).toEqual({ [read.key('/public', 'GET', 200)]: 1 })
        expect(subject.receiver.lines().join('\n')).not.toMatch(/internal|debug/)
        expect(subject.meter.stats().activeRequests).toBe(0)
      },
    )
  })
}
