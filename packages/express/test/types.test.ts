import type { ExecutionTimers, Meter, Stopper } from '@routemeter/core'
import express, { type Request, type RequestHandler } from 'express'
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
  it('req.metrics is on Express’ Request, typed as the execution timers', () => {
    expectTypeOf<Request['metrics']>().toEqualTypeOf<RequestMetrics>()
    expectTypeOf<RequestMetrics>().toEqualTypeOf<ExecutionTimers>()
    expectTypeOf<RequestMetrics['timer']>().returns.toEqualTypeOf<Stopper>()
    const handler: RequestHandler = async (req, res) => {
      const rows = await req.metrics.time('db.query', async () => [1, 2, 3])
      expectTypeOf(rows).toEqualTypeOf<number[]>()
      using _stop = req.metrics.timer('render', { template: 'list' })
      res.json(rows)
    }
    expectTypeOf(handler).toBeFunction()
  })

  it('the middleware mounts with app.use() and exposes meter and close()', () => {
    const metrics = routemeter({ enabled: false, exclude: ['/health', /^\/internal\//] })
    express().use(metrics)
    express.Router().use('/api', metrics)
    expectTypeOf(metrics).toEqualTypeOf<RoutemeterMiddleware>()
    expectTypeOf(metrics.meter).toEqualTypeOf<Meter>()
    expectTypeOf(metrics.close).returns.toEqualTypeOf<Promise<void>>()
  })

  it('options are every meter option plus meter and exclude; unknown ones do not compile', () => {
    expectTypeOf<RoutemeterOptions['meter']>().toEqualTypeOf<Meter | undefined>()
    expectTypeOf<RoutemeterOptions['naming']>().toExtend<
      'tags' | 'path' | 'otel' | object | undefined
    >()
    // @ts-expect-error not an option
    const invalid: RoutemeterOptions = { colour: 'blue' }
    expectTypeOf(invalid).toEqualTypeOf<RoutemeterOptions>()
  })

  it('labels are functions of Express’ Request; wrong request or return types do not compile', () => {
    const metrics = routemeter({
      labels: {
        tenant: (req) => {
          expectTypeOf(req).toEqualTypeOf<Request>()
          return req.get('x-tenant')
        },
      },
      maxLabelValues: 50,
      bodySizes: true,
      timerType: 'h',
    })
    expectTypeOf(metrics).toEqualTypeOf<RoutemeterMiddleware>()
    // @ts-expect-error a label returns a string or undefined, not a number
    const numeric: RoutemeterOptions = { labels: { tenant: () => 42 } }
    const foreign: RoutemeterOptions = {
      // @ts-expect-error a label is given Express' Request, which has no Koa ctx.state
      labels: { tenant: (ctx: { state: { t: string } }) => ctx.state.t },
    }
    expectTypeOf([numeric, foreign]).toBeArray()
  })
})
