import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

/** A route handler in the json-server style: finds the data, leaves answering to a renderer. */
function fill(status: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.data = { path: req.path }
    res.status(status)
    next()
  }
}

/** The renderer mounted after the routes: answers whatever the routes left in res.locals. */
function render(_req: Request, res: Response): void {
  if (res.locals.data === undefined) res.status(404).json({})
  else res.json(res.locals.data)
}

describe.each(MATRIX)(
  '$major, $naming naming: a request carries the template of the last route that matched it',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('a route that fills res.locals and calls next() keeps its label when a renderer at the top answers', async () => {
      measured = await measuredApp(express, naming)
      const users = express.Router()
      users.get('/:id', fill(200))
      users.delete('/:id', fill(204))
      const api = express.Router()
      api.use('/users', users)
      api.get('/health', fill(200))
      measured.app.use('/api', api)
      measured.app.use(render)

      await request(measured.app).get('/api/users/7').expect(200)
      await request(measured.app).delete('/api/users/7').expect(204)
      await request(measured.app).get('/api/health').expect(200)
      await request(measured.app).get('/nothing/here').expect(404)
      await measured.flushed(4)

      expect(measured.read.count('/api/users/:id', 'GET', 200)).toBe(1)
      expect(measured.read.count('/api/users/:id', 'DELETE', 204)).toBe(1)
      expect(measured.read.count('/api/health', 'GET', 200)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
      expect(measured.read.total()).toBe(4)
    })

    it('a renderer inside the same nested router answers under the route too', async () => {
      measured = await measuredApp(express, naming)
      const posts = express.Router()
      posts.route('/:postId/comments').get(fill(200)).post(fill(201))
      posts.use(render)
      const api = express.Router()
      api.use('/posts', posts)
      measured.app.use('/v1/:tenant', api)

      await request(measured.app).get('/v1/acme/posts/3/comments').expect(200)
      await request(measured.app).post('/v1/acme/posts/3/comments').expect(201)
      await request(measured.app).get('/v1/acme/posts/3').expect(404)
      await measured.flushed(3)

      expect(measured.read.count('/v1/:tenant/posts/:postId/comments', 'GET', 200)).toBe(1)
      expect(measured.read.count('/v1/:tenant/posts/:postId/comments', 'POST', 201)).toBe(1)
      // The renderer answered, but no route matched /posts/3.
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it('the last of several matching routes labels the request, and a later route that matches takes over', async () => {
      measured = await measuredApp(express, naming)
      const api = express.Router()
      api.all(/.*/, (_req: Request, _res: Response, next: NextFunction) => next()) // a guard
      api.get('/orders/:orderId', fill(200))
      api.get('/orders/:orderId', (_req: Request, res: Response, next: NextFunction) => {
        res.set('x-checked', 'yes')
        next()
      })
      measured.app.use('/shop', api)
      measured.app.use(render)

      await request(measured.app).get('/shop/orders/5').expect(200).expect('x-checked', 'yes')
      await measured.flushed(1)

      expect(measured.read.count('/shop/orders/:orderId', 'GET', 200)).toBe(1)
    })

    it("next('route') with no later route to take it: the route that matched keeps the label", async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/reports/:year', (req: Request, res: Response, next: NextFunction) => {
        if (req.params.year === 'draft') {
          next('route')
          return
        }
        res.locals.data = { year: req.params.year }
        next()
      })
      measured.app.use(render)

      await request(measured.app).get('/reports/2025').expect(200)
      await request(measured.app).get('/reports/draft').expect(404)
      await measured.flushed(2)

      expect(measured.read.count('/reports/:year', 'GET', 200)).toBe(1)
      expect(measured.read.count('/reports/:year', 'GET', 404)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(0)
    })

    it("next('router') out of a nested router: a renderer of the parent answers under the route", async () => {
      measured = await measuredApp(express, naming)
      const v1 = express.Router()
      v1.get('/stock/:sku', (req: Request, res: Response, next: NextFunction) => {
        res.locals.data = { sku: req.params.sku }
        next('router')
      })
      v1.get('/stock/:sku', (_req, res) => {
        res.send('skipped by next(router)')
      })
      measured.app.use('/v1', v1)
      measured.app.use(render)

      await request(measured.app).get('/v1/stock/a1').expect(200, { sku: 'a1' })
      await request(measured.app).head('/v1/stock/a1').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/v1/stock/:sku', 'GET', 200)).toBe(1)
      expect(measured.read.count('/v1/stock/:sku', 'HEAD', 200)).toBe(1)
    })

    it('a route that matched, then fell through to the 404 handler, labels that 404', async () => {
      measured = await measuredApp(express, naming)
      const files = express.Router()
      files.get('/:name', (req: Request, res: Response, next: NextFunction) => {
        if (req.params.name === 'readme') res.send('readme')
        else next() // not found: let the app's 404 handler answer
      })
      measured.app.use('/files', files)
      measured.app.use((_req: Request, res: Response) => {
        res.status(404).send('no such file')
      })

      await request(measured.app).get('/files/readme').expect(200)
      await request(measured.app).get('/files/missing').expect(404)
      await request(measured.app).get('/elsewhere').expect(404)
      await measured.flushed(3)

      expect(measured.read.count('/files/:name', 'GET', 200)).toBe(1)
      expect(measured.read.count('/files/:name', 'GET', 404)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it('a route that threw after a route passed on: the error middleware answers under the one that threw', async () => {
      measured = await measuredApp(express, naming)
      const api = express.Router()
      api.get('/carts/:cartId', fill(200))
      api.get('/carts/:cartId', () => {
        throw Object.assign(new Error('locked'), { status: 423 })
      })
      measured.app.use('/api', api)
      measured.app.get('/api/carts/:cartId', (_req, res) => {
        res.send('never reached')
      })
      measured.app.use(
        (err: Error & { status: number }, _req: Request, res: Response, _next: NextFunction) => {
          res.status(err.status).send(err.message)
        },
      )

      await request(measured.app).get('/api/carts/1').expect(423)
      await measured.flushed(1)

      expect(measured.read.count('/api/carts/:cartId', 'GET', 423)).toBe(1)
    })

    it('a function mounted at a path that lets the request through gives the route’s label back', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/api/items/:itemId', fill(200))
      // Mounted at a path: labels the request only while it runs, as it does not answer.
      measured.app.use('/api', (_req: Request, res: Response, next: NextFunction) => {
        res.set('x-api', '1')
        next()
      })
      measured.app.use(render)

      await request(measured.app).get('/api/items/2').expect(200).expect('x-api', '1')
      await request(measured.app).get('/api/other').expect(404)
      await measured.flushed(2)

      expect(measured.read.count('/api/items/:itemId', 'GET', 200)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })
  },
)
