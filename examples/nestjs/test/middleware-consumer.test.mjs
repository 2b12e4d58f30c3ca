import { createRequire } from 'node:module'
import { Module, VersioningType } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { startStatsdReceiver } from '@routemeter/core/testing'
import { routemeter } from '@routemeter/express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from './http-client.mjs'
import { expectedCounts, scenariosFor } from './scenarios.mjs'

const SCENARIOS = scenariosFor('express')
const { AppModule } = createRequire(import.meta.url)('../dist/app.module.js')

/**
 * The other way to mount Express middleware in Nest: `consumer.apply(…).forRoutes('*')` in a
 * module. Nest runs it for its routes and under the global prefix, so routes get the same labels
 * as with `app.use()`, but a 404 outside the prefix (`/wp-login.php`) never reaches it and is not
 * counted. The README says so; this proves it.
 */
describe('NestJS on platform-express, routemeter mounted with MiddlewareConsumer', () => {
  let receiver
  beforeAll(async () => {
    receiver = await startStatsdReceiver()
  })
  afterAll(() => receiver.close())

  it('counts every route with the same labels as app.use(), but no 404 outside the global prefix', async () => {
    const middleware = routemeter({
      exclude: ['/health'],
      host: '127.0.0.1',
      port: receiver.port,
      naming: 'tags',
      prefix: null,
      globalTags: {},
      flushIntervalMs: 600_000,
    })
    // A Nest module in plain JS: the decorator applied as the function it is.
    class MeteredModule {
      configure(consumer) {
        consumer.apply(middleware).forRoutes('*')
      }
    }
    Module({ imports: [AppModule.forRoot(() => middleware.close())] })(MeteredModule)

    const app = await NestFactory.create(MeteredModule, { logger: false })
    app.setGlobalPrefix('api', { exclude: ['health'] })
    app.enableVersioning({ type: VersioningType.URI })
    await app.listen(0, '127.0.0.1')
    const { port } = app.getHttpServer().address()
    for (const scenario of SCENARIOS) {
      expect(await send(`http://127.0.0.1:${port}`, scenario)).toBe(scenario.status)
    }
    await app.close()

    // Every scenario but the two 404s outside `/api` (`/health` is excluded either way).
    const underPrefix = SCENARIOS.filter(({ path }) => path.startsWith('/api/'))
    expect(SCENARIOS.length - underPrefix.length).toBe(3)
    const expected = expectedCounts(underPrefix)
    const measured = Object.values(expected).reduce((sum, count) => sum + count, 0)
    await receiver.waitFor((r) => r.counter('http.server.requests') === measured)
    const counts = {}
    for (const { tags, values } of receiver.find('http.server.requests')) {
      const key = `${tags.route} ${tags.method} ${tags.status_code}`
      counts[key] = (counts[key] ?? 0) + Number(values[0])
    }
    expect(counts).toEqual(expected)
  })
})
