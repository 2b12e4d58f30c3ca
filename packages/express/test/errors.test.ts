import express5, { type NextFunction, type Request, type Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp, NAMINGS } from './support/harness'

type HttpError = Error & { status?: number }

function errorHandler(err: HttpError, _req: Request, res: Response, _next: NextFunction): void {
  res
    .status(err.status ?? 500)
    .json({ error: err.message, route: res.req.route?.path, baseUrl: res.req.baseUrl })
}

describe.each(MATRIX)(
  '$major, $naming naming: errors are counted once, under the route that raised them',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('an error thrown in a nested router and handled at the top keeps the full template', async () => {
      measured = await measuredApp(express, naming)
      const orders = express.Router()
      orders.get('/:orderId', (req) => {
        throw Object.assign(new Error(`order ${req.params.orderId} is locked`), { status: 423 })
      })
      const api = express.Router()
      api.use('/orders', orders)
      measured.app.use('/api/:version', api)
      measured.app.use(errorHandler)

      const response = await request(measured.app).get('/api/v1/orders/9').expect(423)
      // What the top-level handler itself sees: the nested route without its mount path.
      expect(response.body).toEqual({ error: 'order 9 is locked', route: '/:orderId', baseUrl: '' })
      await measured.flushed(1)

      expect(measured.read.count('/api/:version/orders/:orderId', 'GET', 423)).toBe(1)
      expect(measured.read.total()).toBe(1)
    })

    it('an error passed to next() with no error middleware: Express answers 500, under the route', async () => {
      measured = await measuredApp(express, naming)
      const reports = express.Router()
      reports.get('/:id', (_req, _res, next) => {
        setImmediate(() => next(new Error('backend down')))
      })
      measured.app.use('/reports', reports)

      await request(measured.app).get('/reports/5').expect(500)
      await measured.flushed(1)

      expect(measured.read.count('/reports/:id', 'GET', 500)).toBe(1)
    })

    it('an error from router-level middleware, before any route, is counted as unmatched', async () => {
      measured = await measuredApp(express, naming)
      const api = express.Router()
      api.use((_req, _res, next) => next(Object.assign(new Error('no token'), { status: 401 })))
      api.get('/me', (_req, res) => {
        res.send('me')
      })
      measured.app.use('/api', api)
      measured.app.use(errorHandler)

      await request(measured.app).get('/api/me').expect(401)
      await measured.flushed(1)

      expect(measured.read.count(null, 'GET', 401)).toBe(1)
    })

    it('error middleware that recovers with next() lets a later route answer, under that route', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/flaky', (_req, _res, next) => next(new Error('retry')))
      measured.app.use((_err: Error, _req: Request, _res: Response, next: NextFunction) => next())
      measured.app.get('/flaky', (_req, res) => {
        res.status(202).send('accepted')
      })

      await request(measured.app).get('/flaky').expect(202)
      await measured.flushed(1)

      expect(measured.read.count('/flaky', 'GET', 202)).toBe(1)
    })
  },
)

describe.each(NAMINGS)('Express 5 async handlers, %s naming', (naming) => {
  let measured: MeasuredApp
  afterEach(() => measured.close())

  it('a rejected promise in a nested route is counted once, under the full template', async () => {
    measured = await measuredApp(express5, naming)
    const users = express5.Router()
    users.get('/:id', async () => {
      await new Promise((resolve) => setImmediate(resolve))
      throw Object.assign(new Error('gone'), { status: 410 })
    })
    users.post('/', async () => {
      throw new Error('db')
    })
    measured.app.use('/api/users', users)
    measured.app.use(errorHandler)

    await request(measured.app).get('/api/users/3').expect(410)
    await request(measured.app).post('/api/users').expect(500)
    await measured.flushed(2)

    expect(measured.read.count('/api/users/:id', 'GET', 410)).toBe(1)
    expect(measured.read.count('/api/users', 'POST', 500)).toBe(1)
    expect(measured.read.total()).toBe(2)
  })

  it('a rejection with no error middleware: finalhandler answers 500, under the route', async () => {
    measured = await measuredApp(express5, naming)
    measured.app.get('/jobs/:id', async () => {
      throw new Error('crash')
    })

    await request(measured.app).get('/jobs/1').expect(500)
    await measured.flushed(1)

    expect(measured.read.count('/jobs/:id', 'GET', 500)).toBe(1)
  })
})
