import { createCaptureMeter } from '@routemeter/core/testing'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { afterEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { type Env, key, MeasuredHono } from './support/harness'

describe('Hono: the status counted is the status sent', () => {
  let measured: MeasuredHono
  afterEach(() => measured.close())

  it('HTTPException, a plain throw and the app’s onError: each once, under its route, with the status answered', async () => {
    measured = new MeasuredHono()
    measured.app.get('/orders/:id', () => {
      throw new HTTPException(403, { message: 'not yours' })
    })
    measured.app.delete('/orders/:id', () => {
      throw new Error('database gone')
    })
    expect(await measured.request('/orders/1')).toEqual({ status: 403, body: 'not yours' })
    expect((await measured.request('/orders/1', 'DELETE')).status).toBe(500)
    measured.app.onError((error, c) =>
      error instanceof HTTPException ? c.text('busy', 503) : c.text('teapot', 418),
    )
    expect((await measured.request('/orders/2')).status).toBe(503)
    expect((await measured.request('/orders/2', 'DELETE')).status).toBe(418)
    expect(await measured.counted(4)).toEqual({
      [key('GET', '/orders/:id', 403)]: 1,
      [key('DELETE', '/orders/:id', 500)]: 1,
      [key('GET', '/orders/:id', 503)]: 1,
      [key('DELETE', '/orders/:id', 418)]: 1,
    })
  })

  it('a sub-app’s own onError answers its routes’ errors; the label is the full template', async () => {
    measured = new MeasuredHono()
    const payments = new Hono<Env>()
    payments.post('/:id/pay', () => {
      throw new HTTPException(402)
    })
    payments.onError((_error, c) => c.text('declined', 409))
    measured.app.route('/payments', payments)

    expect((await measured.request('/payments/7/pay', 'POST')).status).toBe(409)
    expect(await measured.counted(1)).toEqual({ [key('POST', '/payments/:id/pay', 409)]: 1 })
  })

  it('routemeter mounted twice counts each request once', async () => {
    measured = new MeasuredHono()
    measured.app.use(measured.metrics)
    measured.app.get('/once', (c) => c.text('once'))
    await measured.request('/once')
    await measured.request('/once')
    expect(await measured.counted(2)).toEqual({ [key('GET', '/once', 200)]: 2 })
  })
})

describe('Hono without Node’s response (app.fetch as Bun, Deno and workers call it)', () => {
  it('records each request when the app has answered, with the Response’s status', async () => {
    const capture = createCaptureMeter({ prefix: null })
    const metrics = routemeter({ meter: capture.meter })
    const app = new Hono()
    app.use(metrics)
    app.get('/users/:id', (c) => c.text('user'))
    app.get('/fail', () => {
      throw new HTTPException(429)
    })
    expect((await app.fetch(new Request('http://localhost/users/1'))).status).toBe(200)
    expect((await app.fetch(new Request('http://localhost/fail'))).status).toBe(429)
    expect((await app.fetch(new Request('http://localhost/missing'))).status).toBe(404)
    await capture.meter.flush()
    expect(
      capture.counter('http.server.requests', { route: '/users/:id', status_code: '200' }),
    ).toBe(1)
    expect(capture.counter('http.server.requests', { route: '/fail', status_code: '429' })).toBe(1)
    expect(
      capture.counter('http.server.requests', { route: 'unmatched', status_code: '404' }),
    ).toBe(1)
    expect(capture.counter('http.server.requests')).toBe(3)
    await metrics.close()
    await capture.meter.close()
  })
})
