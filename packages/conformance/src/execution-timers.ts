import { fetchText } from './client'
import { type Measured, measured, NAMINGS } from './measured'
import type { SuiteContext } from './suite'

/**
 * The request's execution timers (`request.metrics`, `req.metrics`…, reached through the
 * factory): `timer(name)` and `time(name, fn)` record under the request's route template and
 * method, nested prefixes included; in a not-found handler they belong to `unmatched`.
 */

/** A stand-in for a database call: resolves on the next turn of the event loop. */
const query = <T>(value: T): Promise<T> =>
  new Promise((resolve) => setImmediate(() => resolve(value)))

export function executionTimersSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  describe.each(NAMINGS)(
    `${factory.name}, %s naming: execution timers tied to the route and method`,
    (naming) => {
      let subject: Measured | undefined
      afterEach(async () => {
        await subject?.close()
        subject = undefined
      })

      it('timer() and time() (sync and async, extra tags) record under the full template and the method', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/users/:id',
                prefix: '/api/:version',
                async handler({ params, metrics }) {
                  const stop = metrics?.timer('db.query')
                  const user = await query({ id: params.id })
                  const elapsed = stop?.()
                  await metrics?.time('cache.write', () => query(true))
                  metrics?.time('render', () => JSON.stringify(user), { template: 'user' })
                  return { json: { user, elapsed } }
                },
              },
              {
                method: 'PUT',
                path: '/users/:id',
                prefix: '/api/:version',
                handler({ metrics }) {
                  metrics?.time('db.query', () => 1)
                  return { status: 204 }
                },
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        const first = await fetchText(app.port, 'GET', '/api/v2/users/5')
        expect(first.status).toBe(200)
        const body = JSON.parse(first.body) as { user: unknown; elapsed: number }
        expect(body.user).toEqual({ id: '5' })
        expect(body.elapsed).toBeGreaterThanOrEqual(0)
        await fetchText(app.port, 'GET', '/api/v2/users/6')
        expect((await fetchText(app.port, 'PUT', '/api/v2/users/5')).status).toBe(204)
        await subject.settle()

        const route = '/api/:version/users/:id'
        expect(read.timings(route, 'GET', 'db.query')).toHaveLength(2)
        expect(read.timings(route, 'PUT', 'db.query')).toHaveLength(1)
        expect(read.timings(route, 'GET', 'cache.write')).toHaveLength(2)
        expect(
          read.timings(route, 'GET', 'render', naming === 'tags' ? { template: 'user' } : {}),
        ).toHaveLength(2)
        for (const value of read.timings(route, 'GET', 'db.query'))
          expect(value).toBeGreaterThanOrEqual(0)
      })

      it('time() records when the function throws or rejects, and passes the error on', async () => {
        subject = await measured(
          factory,
          {
            routes: [
              {
                method: 'GET',
                path: '/fail/:mode',
                async handler({ params, metrics }) {
                  try {
                    if (params.mode === 'sync') {
                      metrics?.time('step', () => {
                        throw new Error('sync')
                      })
                    } else {
                      await metrics?.time('step', async () => {
                        throw new Error('async')
                      })
                    }
                    return { text: 'no error' }
                  } catch (error) {
                    return { status: 500, text: (error as Error).message }
                  }
                },
              },
            ],
          },
          naming,
        )
        const { app, read } = subject
        expect(await fetchText(app.port, 'GET', '/fail/sync')).toEqual({
          status: 500,
          body: 'sync',
        })
        expect(await fetchText(app.port, 'GET', '/fail/async')).toEqual({
          status: 500,
          body: 'async',
        })
        await subject.settle()
        expect(read.timings('/fail/:mode', 'GET', 'step')).toHaveLength(2)
      })

      it('in the app’s not-found handler the timers belong to the unmatched bucket', async () => {
        subject = await measured(
          factory,
          {
            routes: [],
            notFound({ metrics }) {
              metrics?.timer('notfound.lookup')()
              return { status: 404 }
            },
          },
          naming,
        )
        const { app, read } = subject
        expect((await fetchText(app.port, 'GET', '/nope/123')).status).toBe(404)
        await subject.settle()
        expect(read.timings(null, 'GET', 'notfound.lookup')).toHaveLength(1)
        expect(subject.receiver.lines().join('\n')).not.toContain('nope')
      })
    },
  )
}
