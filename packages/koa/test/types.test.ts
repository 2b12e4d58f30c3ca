import Router, { type RouterContext } from '@koa/router'
import type { ExecutionTimers, Meter, Stopper } from '@routemeter/core'
import Koa, { type Context, type Middleware } from 'koa'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type RequestMetrics,
  type RoutemeterMiddleware,
  type RoutemeterOptions,
  routemeter,
} from '../src/index'

// Type tests: `pnpm typecheck` compiles this file, so a wrong type fails the build; at run time
// the assertions are no-ops.
describe('public types', () => {
  it('ctx.metrics is on Koa’s context and @koa/router’s, typed as the execution timers', () => {
    expectTypeOf<Context['metrics']>().toEqualTypeOf<RequestMetrics>()
    expectTypeOf<RouterContext['metrics']>().toEqualTypeOf<RequestMetrics>()
    expectTypeOf<RequestMetrics>().toEqualTypeOf<ExecutionTimers>()
    expectTypeOf<RequestMetrics['timer']>().returns.toEqualTypeOf<Stopper>()
    const router = new Router()
    router.get('/users/:id', async (ctx) => {
      const rows = await ctx.metrics.time('db.query', async () => [1, 2, 3])
      expectTypeOf(rows).toEqualTypeOf<number[]>()
      using _stop = ctx.metrics.timer('render', { template: 'list' })
      ctx.body = rows
    })
    const middleware: Middleware = async (ctx, next) => {
      ctx.metrics.timer('auth')()
      await next()
    }
    expectTypeOf(middleware).toBeFunction()
  })

  it('the middleware mounts with app.use() and exposes meter and close()', () => {
    const metrics = routemeter({ enabled: false, exclude: ['/health', /^\/internal\//] })
    new Koa().use(metrics)
    new Router().use(metrics)
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

  it('labels are functions of Koa’s Context; wrong request or return types do not compile', () => {
    const metrics = routemeter({
      labels: {
        tenant: (ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<Context>()
          return ctx.get('x-tenant') || undefined
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
      // @ts-expect-error a label is given Koa's Context, which has no Hono c.req.header()
      labels: { tenant: (c: { req: { header(n: string): string } }) => c.req.header('x') },
    }
    expectTypeOf([numeric, foreign]).toBeArray()
  })
})
