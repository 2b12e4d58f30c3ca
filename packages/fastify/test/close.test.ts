import { createRequire } from 'node:module'
import { createMeter, type Meter, RoutemeterOptionError } from '@routemeter/core'
import { type StatsdReceiver, startStatsdReceiver } from '@routemeter/core/testing'
import Fastify from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { NO_INTERVAL, requestCount } from './support'

type StatsdClient = NonNullable<Meter['client']>

/** hot-shots, as core depends on it, for handing the plugin a client of our own. */
function hotShotsClient(port: number): StatsdClient {
  const require = createRequire(import.meta.url)
  const fromCore = createRequire(require.resolve('@routemeter/core'))
  const { StatsD } = fromCore('hot-shots') as { StatsD: new (options: object) => StatsdClient }
  return new StatsD({ host: '127.0.0.1', port, protocol: 'udp' })
}

describe('onClose flushes everything and closes only what the plugin opened', () => {
  let receiver: StatsdReceiver
  beforeEach(async () => {
    receiver = await startStatsdReceiver({ protocol: 'udp' })
  })
  afterEach(() => receiver.close())

  it('app.close() sends every request, timer and app metric recorded since the last flush', async () => {
    const app = Fastify()
    await app.register(routemeter, { port: receiver.port, flushIntervalMs: NO_INTERVAL })
    app.get('/work/:id', async (request) => {
      request.metrics.timer('work.step')()
      app.metrics.increment('work.done')
      return 'done'
    })
    for (let i = 0; i < 25; i++) await app.inject(`/work/${i}`)
    expect(receiver.lines()).toEqual([])

    await app.close()
    await receiver.waitFor(
      (r) => requestCount(r, { route: '/work/:id' }) === 25 && r.counter('work.done') === 25,
    )
    expect(receiver.timings('work.step', { route: '/work/:id' })).toHaveLength(25)
    expect(receiver.timings('http.server.duration')).toHaveLength(25)
    expect(app.metrics.stats().closed).toBe(true)
  })

  it('a meter passed in is flushed on close but stays open for its owner', async () => {
    const meter = createMeter({ port: receiver.port, flushIntervalMs: NO_INTERVAL })
    const app = Fastify()
    await app.register(routemeter, { meter })
    expect(app.metrics).toBe(meter)
    app.get('/', async () => 'ok')
    await app.inject('/')
    await app.close()
    await receiver.waitFor((r) => requestCount(r) === 1)
    expect(meter.stats().closed).toBe(false)

    meter.increment('still.open')
    await meter.flush()
    await receiver.waitFor((r) => r.counter('still.open') === 1)
    await meter.close()
  })

  it('a hot-shots client passed in stays open; the meter around it is closed', async () => {
    const client = hotShotsClient(receiver.port)
    const app = Fastify()
    await app.register(routemeter, { client, flushIntervalMs: NO_INTERVAL })
    app.get('/', async () => 'ok')
    await app.inject('/')
    await app.close()
    await receiver.waitFor((r) => requestCount(r) === 1)
    expect(app.metrics.stats().closed).toBe(true)

    client.increment('client.after.close')
    await receiver.waitFor((r) => r.counter('client.after.close') === 1)
    await new Promise<void>((resolve) => client.close(() => resolve()))
  })
})

describe('invalid options fail at startup', () => {
  it.each([
    ['an out-of-range port', { port: 70_000 }, /"port"/],
    ['an unknown option', { colour: 'blue' }, /"colour"/],
    [
      'a meter together with meter options',
      { meter: createMeter({ enabled: false }), host: 'x' },
      /"host"/,
    ],
    ['a naming style that does not exist', { naming: 'dots' }, /"naming"/],
  ])('%s', async (_case, options, message) => {
    const app = Fastify()
    const error = await app.register(routemeter, options as object).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    expect((error as Error).message).toMatch(message)
    await app.close()
  })

  it("Fastify's own register options are not mistaken for meter options", async () => {
    const app = Fastify()
    await app.register(routemeter, { enabled: false, logLevel: 'warn', prefix: 'shop' })
    await app.ready()
    expect(app.metrics.options.prefix).toBe('shop')
    await app.close()
  })
})
