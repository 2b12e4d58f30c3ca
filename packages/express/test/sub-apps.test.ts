import { startStatsdReceiver } from '@routemeter/core/testing'
import express5, { type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4-18'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import {
  MATRIX,
  type MeasuredApp,
  measuredApp,
  NAMINGS,
  RequestMetricsReader,
} from './support/harness'

describe.each(MATRIX)(
  '$major, $naming naming: sub-applications’ routes get full labels with the middleware mounted once, at the top',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('a route of a sub-app is its mount path and route path, from the first request on', async () => {
      measured = await measuredApp(express, naming)
      const v2 = express()
      v2.get('/items/:itemId', (_req, res) => {
        res.send('item')
      })
      measured.app.use('/v2', v2)

      await request(measured.app).get('/v2/items/1').expect(200)
      await request(measured.app).get('/v2/items/2').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/v2/items/:itemId', 'GET', 200)).toBe(2)
      expect(measured.read.total()).toBe(2)
    })

    it('a sub-app mounted at / adds nothing to its routes’ labels', async () => {
      measured = await measuredApp(express, naming)
      const api = express()
      api.get('/items/:itemId', (_req, res) => {
        res.send('item')
      })
      measured.app.use(api)

      await request(measured.app).get('/items/1').expect(200)
      await request(measured.app).get('/nothing').expect(404)
      await measured.flushed(2)

      expect(measured.read.count('/items/:itemId', 'GET', 200)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it('sub-apps of sub-apps, sub-apps with routers of their own, parameterised mount paths', async () => {
      measured = await measuredApp(express, naming)
      const reports = express()
      reports.get('/monthly/:month', (_req, res) => {
        res.send('report')
      })
      const admin = express()
      const users = express.Router()
      users.get('/:userId', (_req, res) => {
        res.send('user')
      })
      admin.use('/users', users)
      admin.use('/reports/:kind', reports)
      measured.app.use('/orgs/:org/admin', admin)

      await request(measured.app).get('/orgs/acme/admin/users/9').expect(200)
      await request(measured.app).get('/orgs/acme/admin/reports/sales/monthly/05').expect(200)
      await request(measured.app).get('/orgs/other/admin/reports/costs/monthly/06').expect(200)
      await measured.flushed(3)

      expect(measured.read.count('/orgs/:org/admin/users/:userId', 'GET', 200)).toBe(1)
      expect(measured.read.count('/orgs/:org/admin/reports/:kind/monthly/:month', 'GET', 200)).toBe(
        2,
      )
      expect(measured.read.total()).toBe(3)
    })

    it('a sub-app route that leaves answering to middleware of the parent app keeps its label', async () => {
      measured = await measuredApp(express, naming)
      const v2 = express()
      v2.get('/items/:itemId', (req: Request, res: Response, next: NextFunction) => {
        res.locals.data = { id: req.params.itemId }
        next()
      })
      v2.get('/boom/:id', () => {
        throw Object.assign(new Error('nope'), { status: 409 })
      })
      measured.app.use('/v2', v2)
      measured.app.use((_req: Request, res: Response) => {
        if (res.locals.data === undefined) res.status(404).send('none')
        else res.json(res.locals.data)
      })
      measured.app.use(
        (err: Error & { status: number }, _req: Request, res: Response, _next: NextFunction) => {
          res.status(err.status).send(err.message)
        },
      )

      await request(measured.app).get('/v2/items/3').expect(200, { id: '3' })
      await request(measured.app).get('/v2/boom/1').expect(409)
      await request(measured.app).get('/v2/nothing').expect(404)
      await measured.flushed(3)

      expect(measured.read.count('/v2/items/:itemId', 'GET', 200)).toBe(1)
      expect(measured.read.count('/v2/boom/:id', 'GET', 409)).toBe(1)
      // No route of the sub-app matched; the parent's catch-all answered.
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it('a sub-app that answers without a route of its matching is labelled with its mount path', async () => {
      measured = await measuredApp(express, naming)
      const legacy = express()
      legacy.get('/known', (_req, res) => {
        res.send('known')
      })
      legacy.use((_req: Request, res: Response) => {
        res.status(410).send('gone')
      })
      measured.app.use('/legacy', legacy)

      await request(measured.app).get('/legacy/known').expect(200)
      await request(measured.app).get('/legacy/anything').expect(410)
      await measured.flushed(2)

      expect(measured.read.count('/legacy/known', 'GET', 200)).toBe(1)
      expect(measured.read.count('/legacy', 'GET', 410)).toBe(1)
    })

    it('sub-apps mounted, and routes added to them, after the first request', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/ready', (_req, res) => {
        res.send('ready')
      })
      await request(measured.app).get('/ready').expect(200)

      const late = express()
      measured.app.use('/late', late)
      late.get('/first/:id', (_req, res) => {
        res.send('first')
      })
      await request(measured.app).get('/late/first/1').expect(200)
      late.get('/second/:id', (_req, res) => {
        res.send('second')
      })
      await request(measured.app).get('/late/second/1').expect(200)
      await measured.flushed(3)

      expect(measured.read.count('/ready', 'GET', 200)).toBe(1)
      expect(measured.read.count('/late/first/:id', 'GET', 200)).toBe(1)
      expect(measured.read.count('/late/second/:id', 'GET', 200)).toBe(1)
    })

    it('the middleware mounted in the sub-app as well: one record per request, the same full labels', async () => {
      measured = await measuredApp(express, naming)
      const billing = express()
      billing.use(measured.metrics)
      billing.get('/invoices/:invoice', (_req, res) => {
        res.send('invoice')
      })
      const plain = express()
      plain.get('/users/:id', (_req, res) => {
        res.send('user')
      })
      measured.app.use('/billing', billing)
      measured.app.use('/admin/:org', plain)

      await request(measured.app).get('/billing/invoices/7').expect(200)
      await request(measured.app).get('/billing/invoices/8').expect(200)
      await request(measured.app).get('/admin/acme/users/1').expect(200)
      await request(measured.app).get('/billing/nothing-here').expect(404)
      await measured.flushed(4)

      expect(measured.read.count('/billing/invoices/:invoice', 'GET', 200)).toBe(2)
      expect(measured.read.count('/admin/:org/users/:id', 'GET', 200)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
      expect(measured.read.total()).toBe(4)
    })
  },
)

describe.each(MATRIX)(
  '$major, $naming naming: apps the middleware is not mounted in',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('serve unchanged and are not recorded, once a measured app with a sub-app ran', async () => {
      measured = await measuredApp(express, naming)
      const measuredSub = express()
      measuredSub.get('/a/:id', (_req, res) => {
        res.send('measured')
      })
      measured.app.use('/m', measuredSub)
      await request(measured.app).get('/m/a/1').expect(200, 'measured')

      const plain = express()
      const plainSub = express()
      plainSub.get('/b/:id', (req: Request, res: Response, next: NextFunction) => {
        res.locals.id = req.params.id
        next()
      })
      plainSub.use((_req: Request, res: Response) => {
        res.send(`plain ${res.locals.id}`)
      })
      plain.use('/p', plainSub)
      await request(plain).get('/p/b/2').expect(200, 'plain 2')
      await request(plain).get('/p/none').expect(200, 'plain undefined')
      await measured.flushed(1)

      expect(measured.read.count('/m/a/:id', 'GET', 200)).toBe(1)
      expect(measured.read.total()).toBe(1)
    })
  },
)

describe.each(MATRIX)(
  '$major, $naming naming: a sub-app measured with an instance of its own',
  ({ express, naming }) => {
    it('mounted only in the sub-app: labels start with the sub-app’s mount path', async () => {
      const receiver = await startStatsdReceiver()
      const metrics = routemeter({
        port: receiver.port,
        naming,
        prefix: null,
        flushIntervalMs: 3_600_000,
      })
      const app = express()
      const shop = express()
      shop.use(metrics)
      shop.get('/carts/:cartId', (_req, res) => {
        res.send('cart')
      })
      app.use('/shops/:shopId', shop)

      await request(app).get('/shops/3/carts/4').expect(200)
      await metrics.meter.flush()
      const read = new RequestMetricsReader(receiver, naming)
      await receiver.waitFor(() => read.total() >= 1)

      expect(read.count('/shops/:shopId/carts/:cartId', 'GET', 200)).toBe(1)
      expect(read.total()).toBe(1)
      await metrics.close()
      await receiver.close()
    })
  },
)

describe.each(NAMINGS)('a sub-app built with another copy of Express, %s naming', (naming) => {
  let measured: MeasuredApp
  afterEach(() => measured.close())

  it('an Express 4.18 sub-app in an Express 5 app: the middleware mounted in it as well gives full labels, once', async () => {
    measured = await measuredApp(express5, naming)
    const legacy = express4()
    legacy.use(measured.metrics)
    legacy.get('/orders/:orderId', (_req, res) => {
      res.send('order')
    })
    measured.app.use('/legacy/:shop', legacy)
    measured.app.get('/health', (_req, res) => {
      res.send('ok')
    })

    await request(measured.app).get('/legacy/s1/orders/1').expect(200)
    await request(measured.app).get('/legacy/s2/orders/2').expect(200)
    await request(measured.app).get('/health').expect(200)
    await measured.flushed(3)

    expect(measured.read.count('/legacy/:shop/orders/:orderId', 'GET', 200)).toBe(2)
    expect(measured.read.count('/health', 'GET', 200)).toBe(1)
    expect(measured.read.total()).toBe(3)
  })
})

describe.each(NAMINGS)(
  'a sub-app built with another copy of Express, middleware at the top only, %s naming',
  (naming) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('is found when first entered: the requests after the first get full labels', async () => {
      measured = await measuredApp(express5, naming)
      const legacy = express4()
      legacy.get('/orders/:orderId', (_req, res) => {
        res.send('order')
      })
      measured.app.use('/legacy/:shop', legacy)

      await request(measured.app).get('/legacy/s1/orders/1').expect(200)
      await request(measured.app).get('/legacy/s2/orders/2').expect(200)
      await request(measured.app).get('/legacy/s3/orders/3').expect(200)
      await measured.flushed(3)

      // The first may keep the mount path: answered before the sub-app's router could be hooked,
      // unless an app met earlier in this process already led to that copy's layer class.
      const full = measured.read.count('/legacy/:shop/orders/:orderId', 'GET', 200)
      expect(full).toBeGreaterThanOrEqual(2)
      expect(full + measured.read.count('/legacy/:shop', 'GET', 200)).toBe(3)
      expect(measured.read.total()).toBe(3)
    })
  },
)
