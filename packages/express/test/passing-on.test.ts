import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

describe.each(MATRIX)(
  '$major, $naming naming: the route that answers is the label',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('a guard route that passes the request on labels only what no later route matches', async () => {
      measured = await measuredApp(express, naming)
      const api = express.Router()
      // A guard written as a route, matching everything under /api.
      api.all('/:resource', (_req: Request, _res: Response, next: NextFunction) => next())
      api.get('/orders', (_req, res) => {
        res.send('orders')
      })
      measured.app.use('/api', api)

      await request(measured.app).get('/api/orders').expect(200)
      await request(measured.app).get('/api/unknown').expect(404)
      await request(measured.app).get('/elsewhere').expect(404)
      await measured.flushed(3)

      expect(measured.read.count('/api/orders', 'GET', 200)).toBe(1)
      // The last route that matched /api/unknown was the guard; /elsewhere matched none.
      expect(measured.read.count('/api/:resource', 'GET', 404)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it("next('route') hands the request to the next matching route, which labels it", async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/users/:id', (req: Request, res: Response, next: NextFunction) => {
        if (req.params.id === 'me') next('route')
        else res.send('user')
      })
      measured.app.get('/users/me', (_req, res) => {
        res.send('me')
      })

      await request(measured.app).get('/users/me').expect(200, 'me')
      await request(measured.app).get('/users/7').expect(200, 'user')
      await measured.flushed(2)

      expect(measured.read.count('/users/me', 'GET', 200)).toBe(1)
      expect(measured.read.count('/users/:id', 'GET', 200)).toBe(1)
    })

    it('a route that answers and then calls next() for after-response middleware keeps the label', async () => {
      measured = await measuredApp(express, naming)
      const seen: string[] = []
      measured.app.post('/events/:kind', (_req: Request, res: Response, next: NextFunction) => {
        res.status(202).send('queued')
        next()
      })
      measured.app.use((req: Request, _res: Response, _next: NextFunction) => {
        seen.push(req.path) // audit log; the response is already sent
      })

      await request(measured.app).post('/events/click').expect(202)
      await measured.flushed(1)

      expect(seen).toEqual(['/events/click'])
      expect(measured.read.count('/events/:kind', 'POST', 202)).toBe(1)
    })
  },
)
