import { waitUntil } from '@routemeter/core/testing'
import type { StartedApp } from './adapter'
import { fetchText } from './client'
import type { SuiteContext } from './suite'

/**
 * A runtime fault reaches the user once by default, whatever the framework's own logger does:
 * with no `logger` option and the framework's logger at its default (Fastify's is off), a StatsD
 * host that does not resolve is printed (through `console`) once, and the app answers as usual.
 */
export function faultReportingSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, vi, afterEach } = test

  describe(`${factory.name}: a fault reaches the user once by default`, () => {
    let app: StartedApp | undefined
    afterEach(async () => {
      vi.restoreAllMocks()
      await app?.dispose()
      app = undefined
    })

    it("with the framework's logger at its default, a StatsD host that does not resolve is printed once", async () => {
      const warnings: string[] = []
      vi.spyOn(console, 'warn').mockImplementation((message: unknown) => {
        warnings.push(String(message))
      })
      app = await factory.start(
        {
          routes: [{ method: 'GET', path: '/users/:id', handler: () => ({ text: 'user' }) }],
        },
        { host: 'statsd.invalid', flushIntervalMs: 3_600_000 },
      )
      const started = app
      for (let i = 0; i < 3; i++) {
        expect(await fetchText(started.port, 'GET', `/users/${i}`)).toMatchObject({ status: 200 })
        await started.meter?.flush()
      }
      const dnsFaults = () => warnings.filter((line) => line.startsWith('routemeter: dns fault:'))
      await waitUntil(() => dnsFaults().length > 0, 'a dns fault printed')
      await started.closeMetrics()
      expect(dnsFaults()).toHaveLength(1)
      expect(dnsFaults()[0]).toContain('statsd.invalid')
    })
  })
}
