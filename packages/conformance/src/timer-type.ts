import type { RouteSpec } from './adapter'
import { send } from './client'
import { type Measured, measured } from './measured'
import type { SuiteContext } from './suite'

/**
 * `timerType`: request durations, execution timers and body sizes go out as StatsD timers
 * (`ms`, default), DogStatsD histograms (`h`) or distributions (`d`), packed with `packValues`.
 * Counters stay counters.
 */
export function timerTypeSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  const routes: RouteSpec[] = [
    {
      method: 'GET',
      path: '/users/:id',
      handler: ({ metrics }) => {
        metrics?.timer('db.query')()
        return { json: { ok: true } }
      },
    },
  ]

  describe(`${factory.name}: timer type (timerType)`, () => {
    let subject: Measured | undefined
    afterEach(async () => {
      await subject?.close()
      subject = undefined
    })

    for (const [type, packValues] of [
      ['h', false],
      ['d', true],
    ] as const) {
      it(`${type}${packValues ? ' with packValues' : ''}: request durations, execution timers and body sizes are |${type}, every sample there; counters exact`, async () => {
        subject = await measured(factory, { routes }, 'tags', {
          timerType: type,
          packValues,
          bodySizes: true,
        })
        const requests = 30
        for (let i = 0; i < requests; i++) await send(subject.app.port, 'GET', `/users/${i}`)
        await subject.settle()
        const { receiver, read } = subject
        expect(read.count('/users/:id', 'GET', 200)).toBe(requests)
        const route = read.label('/users/:id')
        const timed = ['http.server.duration', 'db.query', 'http.server.response_bytes']
        for (const name of timed) {
          const samples = receiver.find(name, { route })
          expect(samples.length).toBeGreaterThan(0)
          for (const sample of samples) expect(sample.type).toBe(type)
          expect(receiver.timings(name, { route })).toHaveLength(requests)
        }
        // Packed: fewer lines than samples.
        const durationLines = receiver.find('http.server.duration', { route }).length
        if (packValues) expect(durationLines).toBeLessThan(requests)
        else expect(durationLines).toBe(requests)
        expect(receiver.lines().filter((line) => line.includes('|ms'))).toEqual([])
      })
    }
  })
}
