import Router from '@koa/router'
import { afterEach, describe, expect, it } from 'vitest'
import { key, MAJORS, MeasuredKoa } from './support/harness'

class PaymentError extends Error {
  readonly status = 402
  readonly expose = true
}

describe.each(MAJORS)('$major: the status counted is the status Koa sent', ({ Koa }) => {
  let measured: MeasuredKoa
  afterEach(() => measured.close())

  it('errors answered by Koa’s own onerror: ctx.throw, an error with a status, a plain throw — each once, under its route', async () => {
    measured = new MeasuredKoa(Koa)
    const errors: unknown[] = []
    measured.app.on('error', (error) => errors.push(error))
    const router = new Router({ prefix: '/orders' })
    router.get('/:id', (ctx) => {
      // What the route set before throwing is not what is sent.
      ctx.status = 200
      ctx.throw(403, 'not yours')
    })
    router.post('/:id/pay', async () => {
      await new Promise((resolve) => setImmediate(resolve))
      throw new PaymentError('card declined')
    })
    router.delete('/:id', () => {
      throw new Error('database gone')
    })
    measured.app.use(router.routes())

    // Read in a `finally` after next(), Koa's status would still be 200 / 404 here: the error
    // has not reached onerror yet. The head as written says what the client got.
    let statusAfterNext = 0
    measured.app.middleware.splice(1, 0, async (ctx, next) => {
      try {
        await next()
      } finally {
        statusAfterNext = ctx.status
      }
    })

    expect(await measured.request('/orders/1')).toEqual({ status: 403, body: 'not yours' })
    expect(statusAfterNext).toBe(200)
    expect((await measured.request('/orders/1/pay', 'POST')).status).toBe(402)
    expect((await measured.request('/orders/1', 'DELETE')).status).toBe(500)
    expect(await measured.counted(3)).toEqual({
      [key('GET', '/orders/:id', 403)]: 1,
      [key('POST', '/orders/:id/pay', 402)]: 1,
      [key('DELETE', '/orders/:id', 500)]: 1,
    })
    expect(errors).toHaveLength(3)
  })

  it('an error handler middleware that changes the answer: its status is the one counted', async () => {
    measured = new MeasuredKoa(Koa)
    measured.app.use(async (ctx, next) => {
      try {
        await next()
      } catch {
        ctx.status = 503
        ctx.body = { retry: true }
      }
    })
    const router = new Router()
    router.get('/search', (ctx) => ctx.throw(400))
    measured.app.use(router.routes())

    expect((await measured.request('/search')).status).toBe(503)
    expect(await measured.counted(1)).toEqual({ [key('GET', '/search', 503)]: 1 })
  })

  it('a status set after the head went out (ctx.respond = false) does not change what is counted', async () => {
    measured = new MeasuredKoa(Koa)
    const router = new Router()
    router.get('/raw', (ctx) => {
      ctx.respond = false
      ctx.res.writeHead(202, { 'content-type': 'text/plain' })
      ctx.res.end('accepted')
      ctx.res.statusCode = 500
    })
    measured.app.use(router.routes())

    expect(await measured.request('/raw')).toEqual({ status: 202, body: 'accepted' })
    expect(await measured.counted(1)).toEqual({ [key('GET', '/raw', 202)]: 1 })
  })

  it('routemeter mounted twice (or in a koa-compose’d sub-stack) counts each request once', async () => {
    measured = new MeasuredKoa(Koa)
    measured.app.use(measured.metrics)
    const router = new Router()
    router.get('/once', (ctx) => {
      ctx.body = 'once'
    })
    measured.app.use(router.routes())

    await measured.request('/once')
    await measured.request('/once')
    expect(await measured.counted(2)).toEqual({ [key('GET', '/once', 200)]: 2 })
  })
})
