import Router from '@koa/router'
import { fetchAnswer } from '@routemeter/conformance'
import { createCaptureMeter } from '@routemeter/core/testing'
import Koa3 from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { type KoaConstructor, MAJORS } from './support/harness'

const FIX = 'Mount it before them: app.use(metrics) first'

/** A Koa app whose router is added before routemeter: the mistake under test. */
async function misordered(Koa: KoaConstructor) {
  const warnings: string[] = []
  const capture = createCaptureMeter({ prefix: null, logger: { warn: (m) => warnings.push(m) } })
  const metrics = routemeter({ meter: capture.meter })
  const app = new Koa()
  app.silent = true
  const router = new Router()
  router.get('/users/:id', (ctx) => {
    ctx.body = ctx.metrics.time('db.query', () => `user ${ctx.params.id}`)
  })
  app.use(router.routes()).use(metrics)
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const port = (server.address() as { port: number }).port
  return {
    warnings,
    capture,
    get: (path: string) => fetchAnswer(port, path, 'GET', {}),
    async close() {
      await new Promise((resolve) => server.close(resolve))
      await metrics.close()
      await capture.meter.close()
    },
  }
}

describe('Koa (the copy this package resolves): the middleware added after the router', () => {
  let app: Awaited<ReturnType<typeof misordered>> | undefined
  afterEach(() => app?.close())

  it('ctx.metrics is there (no-op) from the first request, and the mount is reported once, with the fix', async () => {
    app = await misordered(Koa3)
    for (let i = 0; i < 3; i++)
      expect(await app.get(`/users/${i}`)).toEqual({ status: 200, body: `user ${i}` })
    expect(app.warnings).toHaveLength(1)
    expect(app.warnings[0]).toContain(
      'routemeter Koa middleware is mounted after the middleware or router',
    )
    expect(app.warnings[0]).toContain(FIX)
    await app.capture.meter.flush()
    expect(app.capture.timings('db.query')).toEqual([])
  })
})

describe.each(MAJORS)('$major: the middleware added after the router', ({ Koa }) => {
  let app: Awaited<ReturnType<typeof misordered>> | undefined
  afterEach(() => app?.close())

  it('reported once when it first sees a request, naming the router before it; ctx.metrics is there from then on', async () => {
    app = await misordered(Koa)
    expect((await app.get('/missing')).status).toBe(404)
    expect(app.warnings).toHaveLength(1)
    expect(app.warnings[0]).toContain(
      "mounted after a router's routes (app.use(router.routes()) comes before it)",
    )
    expect(await app.get('/users/5')).toEqual({ status: 200, body: 'user 5' })
    expect(app.warnings).toHaveLength(1)
    await app.capture.meter.flush()
    expect(app.capture.counter('http.server.requests')).toBe(1)
  })

  it('added first, nothing is reported and the route is measured', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({ prefix: null, logger: { warn: (m) => warnings.push(m) } })
    const metrics = routemeter({ meter: capture.meter })
    const koa = new Koa()
    koa.silent = true
    const router = new Router()
    router.get('/users/:id', (ctx) => {
      ctx.body = ctx.metrics.time('db.query', () => 'user')
    })
    koa.use(metrics).use(router.routes())
    const server = koa.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const port = (server.address() as { port: number }).port
    expect((await fetchAnswer(port, '/users/1', 'GET', {})).status).toBe(200)
    await new Promise((resolve) => server.close(resolve))
    await metrics.close()
    expect(capture.timings('db.query', { route: '/users/:id' })).toHaveLength(1)
    expect(warnings).toEqual([])
    await capture.meter.close()
  })
})
