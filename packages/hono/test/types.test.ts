import type { ExecutionTimers, Meter, Stopper } from '@routemeter/core'
import { type Context, Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type RequestMetrics,
  type RoutemeterEnv,
  type RoutemeterMiddleware,
  type RoutemeterOptions,
  routemeter,
} from '../src/index'

// Type tests: `pnpm typecheck` compiles this file, so a wrong type fails the build; at run time
// the assertions are no-ops.
describe('public types', () => {
  it('c.var.metrics is typed through the middleware’s Env, in the app and in sub-apps declared with it', () => {
    expectTypeOf<RoutemeterEnv['Variables']['metrics']>().toEqualTypeOf<RequestMetrics>()
    expectTypeOf<RequestMetrics>().toEqualTypeOf<ExecutionTimers>()
    expectTypeOf<RequestMetrics['timer']>().returns.toEqualTypeOf<Stopper>()
    const app = new Hono().use(routemeter({ enabled: false }))
    app.get('/users/:id', async (c) => {
      const rows = await c.var.metrics.time('db.query', async () => [1, 2, 3])
      expectTypeOf(rows).toEqualTypeOf<number[]>()
      using _stop = c.get('metrics').timer('render', { template: 'list' })
      return c.json(rows)
    })
    const sub = new Hono<RoutemeterEnv>()
    sub.get('/x', (c) => {
      expectTypeOf(c.var.metrics).toEqualTypeOf<RequestMetrics>()
      return c.text('x')
    })
    app.route('/sub', sub)
    const auth = createMiddleware<RoutemeterEnv>(async (c, next) => {
      c.var.metrics.timer('auth')()
      await next()
    })
    expectTypeOf(auth).toBeFunction()
  })

  it('the middleware exposes meter and close()', () => {
    const metrics = routemeter({ enabled: false, exclude: ['/health', /^\/internal\//] })
    expectTypeOf(metrics).toEqualTypeOf<RoutemeterMiddleware>()
    expectTypeOf(metrics.meter).toEqualTypeOf<Meter>()
    expectTypeOf(metrics.close).returns.toEqualTypeOf<Promise<void>>()
  })

  it('options are every meter option plus meter and exclude; unknown ones do not compile', () => {
    expectTypeOf<RoutemeterOptions['meter']>().toEqualTypeOf<Meter | undefined>()
    // @ts-expect-error not an option
    const invalid: RoutemeterOptions = { colour: 'blue' }
    expectTypeOf(invalid).toEqualTypeOf<RoutemeterOptions>()
  })

  it('labels are functions of Hono’s Context; wrong request or return types do not compile', () => {
    const metrics = routemeter({
      labels: {
        tenant: (c) => {
          expectTypeOf(c).toEqualTypeOf<Context>()
          return c.req.header('x-tenant')
        },
      },
      maxLabelValues: 50,
      bodySizes: true,
      timerType: 'd',
    })
    expectTypeOf(metrics).toEqualTypeOf<RoutemeterMiddleware>()
    // @ts-expect-error a label returns a string or undefined, not a number
    const numeric: RoutemeterOptions = { labels: { tenant: () => 42 } }
    const foreign: RoutemeterOptions = {
      // @ts-expect-error a label is given Hono's Context, which has no Koa ctx.state
      labels: { tenant: (ctx: { state: { t: string } }) => ctx.state.t },
    }
    expectTypeOf([numeric, foreign]).toBeArray()
  })
})
