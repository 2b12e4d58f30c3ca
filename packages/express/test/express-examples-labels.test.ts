import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

/**
 * The three kinds of request Express's own examples (`examples/` in its acceptance suite) had
 * labelled against the README's rule: a mounted function rejecting with no route matched, an
 * `app.param()` rejecting after its route matched, and method-override.
 */
type HttpError = Error & { status?: number }

function errorHandler(err: HttpError, _req: Request, res: Response, _next: NextFunction): void {
  res.status(err.status ?? 500).json({ error: err.message })
}

describe.each(MATRIX)(
  '$major, $naming naming: labels of Express’s own examples',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it("app.use('/api', checkKey) calling next(err), answered by the error handler with no route matched: unmatched", async () => {
      measured = await measuredApp(express, naming)
      // examples/web-service: an API key check mounted on /api.
      measured.app.use('/api', (req: Request, _res: Response, next: NextFunction) => {
        if (req.query['api-key'] === 'foo') return next()
        next(Object.assign(new Error('api key required'), { status: 400 }))
      })
      measured.app.get('/api/users', (_req: Request, res: Response) => {
        res.json([{ name: 'tobi' }])
      })
      measured.app.use(errorHandler)

      await request(measured.app).get('/api/users').expect(400)
      await request(measured.app).get('/api/repos').expect(400)
      await request(measured.app).get('/api/users?api-key=foo').expect(200)
      await measured.flushed(3)

      expect(measured.read.count(null, 'GET', 400)).toBe(2)
      expect(measured.read.count('/api/users', 'GET', 200)).toBe(1)
      expect(measured.read.labels()).not.toContain(measured.read.label('/api'))
    })

    it("app.param('user', …) rejecting with next(err) after /user/:user matched keeps the route, as Koa's router.param does", async () => {
      measured = await measuredApp(express, naming)
      // examples/params and examples/route-middleware: load the user or fail.
      const users = ['tj', 'tobi']
      measured.app.param('user', (req: Request, _res: Response, next: NextFunction, id: string) => {
        const user = users[Number(id)]
        if (user === undefined)
          return next(Object.assign(new Error(`failed to find user ${id}`), { status: 404 }))
        ;(req as Request & { user?: string }).user = user
        next()
      })
      const router = express.Router()
      router.param('user', (_req: Request, _res: Response, next: NextFunction, id: string) => {
        if (id === 'x') return next(Object.assign(new Error('bad id'), { status: 422 }))
        next()
      })
      router.get('/:user/edit', (_req: Request, res: Response) => {
        res.send('edit')
      })
      measured.app.get('/user/:user', (req: Request, res: Response) => {
        res.send(`user ${(req as Request & { user?: string }).user}`)
      })
      measured.app.use('/users', router)
      measured.app.use(errorHandler)

      await request(measured.app).get('/user/1').expect(200, 'user tobi')
      await request(measured.app).get('/user/7').expect(404)
      await request(measured.app).get('/users/x/edit').expect(422)
      await request(measured.app).get('/nowhere/7').expect(404)
      await measured.flushed(4)

      expect(measured.read.count('/user/:user', 'GET', 200)).toBe(1)
      expect(measured.read.count('/user/:user', 'GET', 404)).toBe(1)
      expect(measured.read.count('/users/:user/edit', 'GET', 422)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it('method-override (POST /user/1/edit?_method=PUT) is recorded with the method the client sent', async () => {
      measured = await measuredApp(express, naming)
      // What the method-override package does: rewrite req.method, keep the original.
      measured.app.use((req: Request, _res: Response, next: NextFunction) => {
        const override = req.query._method
        if (req.method === 'POST' && typeof override === 'string') {
          ;(req as Request & { originalMethod?: string }).originalMethod = req.method
          req.method = override.toUpperCase()
        }
        next()
      })
      measured.app.put('/user/:id/edit', (req: Request, res: Response) => {
        res.send(`updated ${req.params.id}`)
      })
      await request(measured.app).post('/user/1/edit?_method=PUT').expect(200, 'updated 1')
      await request(measured.app).put('/user/2/edit').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/user/:id/edit', 'POST', 200)).toBe(1)
      expect(measured.read.count('/user/:id/edit', 'PUT', 200)).toBe(1)
    })
  },
)
