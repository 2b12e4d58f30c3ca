import { createMeter, type ExecutionTimers, type Meter, type Stopper } from '@routemeter/core'
import Fastify, {
  type FastifyContextConfig,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import routemeter, {
  routemeter as named,
  type RouteMetricsSetting,
  type RoutemeterOptions,
} from '../src/index'

// Another plugin's route config, declared the way Fastify plugins declare theirs.
declare module 'fastify' {
  interface FastifyContextConfig {
    otherPlugin?: { max: number }
  }
}

const app = Fastify()

describe('decorators', () => {
  it('fastify.metrics is the meter', () => {
    expectTypeOf(app.metrics).toEqualTypeOf<Meter>()
    expectTypeOf(app.metrics.increment).parameter(0).toEqualTypeOf<string>()
    expectTypeOf(app.metrics.timer('x')).toEqualTypeOf<Stopper>()
  })

  it('request.metrics gives execution timers that keep the timed function type', () => {
    app.get('/users/:id', async (request) => {
      expectTypeOf(request.metrics).toEqualTypeOf<ExecutionTimers>()
      expectTypeOf(request.metrics.timer('db.query')).toEqualTypeOf<Stopper>()
      expectTypeOf(request.metrics.timer('db.query')()).toEqualTypeOf<number>()
      expectTypeOf(request.metrics.time('render', () => 42)).toEqualTypeOf<number>()
      expectTypeOf(request.metrics.time('db', async () => 'row')).toEqualTypeOf<Promise<string>>()
      request.metrics.timer('db.query', { table: 'users', shard: 3 })
      // @ts-expect-error tag values are strings or numbers
      request.metrics.timer('db.query', { table: true })
      return 'ok'
    })
  })
})

describe('plugin options', () => {
  it('the plugin is a typed Fastify plugin, default and named alike', () => {
    expectTypeOf(routemeter).toEqualTypeOf<FastifyPluginAsync<RoutemeterOptions>>()
    expectTypeOf(named).toEqualTypeOf(routemeter)
  })

  it('accepts core options, meter, exclude, and Fastify register options', () => {
    app.register(routemeter)
    app.register(routemeter, {
      service: 'shop',
      environment: 'prod',
      naming: 'path',
      tagFormat: 'telegraf',
    })
    app.register(routemeter, { exclude: ['/health', /^\/internal\//] })
    app.register(routemeter, { meter: createMeter({ enabled: false }) })
    app.register(routemeter, { prefix: '', logLevel: 'warn' })
  })

  it('rejects wrong option types and unknown options', () => {
    // @ts-expect-error port is a number
    app.register(routemeter, { port: '8125' })
    // @ts-expect-error exclude entries are paths or RegExps
    app.register(routemeter, { exclude: [42] })
    // @ts-expect-error unknown option
    app.register(routemeter, { colour: 'blue' })
    // @ts-expect-error naming is "tags", "path" or custom functions
    app.register(routemeter, { naming: 'dots' })
  })
})

describe('route config', () => {
  it('config.metrics takes false, true or { route }', () => {
    const off: FastifyContextConfig = { metrics: false }
    const on: FastifyContextConfig = { metrics: true }
    const relabelled: FastifyContextConfig = { metrics: { route: '/custom' } }
    // @ts-expect-error not a setting
    const wrong: FastifyContextConfig = { metrics: 'off' }
    // @ts-expect-error the label key is `route`
    const typo: FastifyContextConfig = { metrics: { label: 'f' } }
    app.get('/a', { config: off }, async () => 'a')
    app.get('/b', { config: { metrics: { route: 'b' } } }, async () => 'b')
    app.route({ method: ['GET', 'POST'], url: '/c', config: relabelled, handler: async () => 'c' })
    app.addHook('onRoute', (route) => {
      expectTypeOf(route.config?.metrics).toEqualTypeOf<RouteMetricsSetting | undefined>()
    })
    void [on, wrong, typo]
  })

  it("is added narrowly: one optional key, other plugins' keys keep their types, no index signature", () => {
    expectTypeOf<keyof FastifyContextConfig>().toEqualTypeOf<'metrics' | 'otherPlugin'>()
    app.get('/g', async (request) => {
      expectTypeOf(request.routeOptions.config.metrics).toEqualTypeOf<
        RouteMetricsSetting | undefined
      >()
      expectTypeOf(request.routeOptions.config.otherPlugin).toEqualTypeOf<
        { max: number } | undefined
      >()
      return 'g'
    })
    const both: FastifyContextConfig = { metrics: false, otherPlugin: { max: 5 } }
    // @ts-expect-error the other plugin's own type still applies
    const bad: FastifyContextConfig = { otherPlugin: { max: 'five' } }
    void [both, bad]
  })
})

describe('labels: functions of the FastifyRequest', () => {
  it('a label reads the request, typed; a wrong request type or return type does not compile', () => {
    const options: RoutemeterOptions = {
      labels: {
        tenant: (request) => {
          expectTypeOf(request).toEqualTypeOf<FastifyRequest>()
          return request.headers['x-tenant'] as string | undefined
        },
        client: (request) => request.routeOptions.url,
      },
      maxLabelValues: 50,
      bodySizes: true,
      timerType: 'd',
    }
    app.register(routemeter, options)
    // @ts-expect-error a label returns a string or undefined, not a number
    const numeric: RoutemeterOptions = { labels: { tenant: () => 42 } }
    const foreign: RoutemeterOptions = {
      // @ts-expect-error a label is given the FastifyRequest, not Express' request
      labels: { tenant: (req: { get(h: string): string }) => req.get('x') },
    }
    // @ts-expect-error timerType is ms, h or d
    const timer: RoutemeterOptions = { timerType: 'histogram' }
    expectTypeOf([numeric, foreign, timer]).toBeArray()
  })

  it('a shared meter takes the labels, typed by createMeter<FastifyRequest>', () => {
    const meter = createMeter<FastifyRequest>({ labels: { tenant: (request) => request.hostname } })
    app.register(routemeter, { meter })
  })
})
