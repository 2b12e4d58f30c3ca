import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

describe.each(MATRIX)(
  '$major, $naming naming: req.metrics execution timers',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('timer() and time() record under the full route template and the method', async () => {
      measured = await measuredApp(express, naming)
      const users = express.Router()
      users.get('/:id', async (req, res) => {
        const stop = req.metrics.timer('render')
        const user = await req.metrics.time('db.query', async () => ({ id: req.params.id }))
        const elapsed = stop()
        res.json({ user, elapsed })
      })
      users.put('/:id', (req, res) => {
        req.metrics.time('db.query', () => 1)
        res.status(204).end()
      })
      measured.app.use('/api/:version/users', users)

      const response = await request(measured.app).get('/api/v2/users/5').expect(200)
      expect(response.body.user).toEqual({ id: '5' })
      expect(response.body.elapsed).toBeGreaterThanOrEqual(0)
      await request(measured.app).put('/api/v2/users/5').expect(204)
      await measured.flushed(2)
      const route = '/api/:version/users/:id'
      await measured.receiver.waitFor(
        () => measured.read.executionTimings(route, 'PUT', 'db.query').length === 1,
      )

      expect(measured.read.executionTimings(route, 'GET', 'db.query')).toHaveLength(1)
      expect(measured.read.executionTimings(route, 'GET', 'render')).toHaveLength(1)
      expect(measured.read.executionTimings(route, 'PUT', 'db.query')).toHaveLength(1)
    })

    it('are bound to the route as known when called: before routing that is unmatched', async () => {
      measured = await measuredApp(express, naming)
      measured.app.use((req: Request, _res: Response, next: NextFunction) => {
        req.metrics.time('auth', () => next())
      })
      measured.app.post('/orders', (req, res) => {
        req.metrics.timer('validate')()
        res.status(201).end()
      })

      await request(measured.app).post('/orders').expect(201)
      await measured.flushed(1)
      await measured.receiver.waitFor(
        () => measured.read.executionTimings('/orders', 'POST', 'validate').length === 1,
      )

      expect(measured.read.executionTimings(null, 'POST', 'auth')).toHaveLength(1)
      expect(measured.read.executionTimings('/orders', 'POST', 'auth')).toHaveLength(0)
    })

    it('time() records when the function throws or rejects, and passes the error on', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/fail/:mode', async (req, res) => {
        try {
          if (req.params.mode === 'sync') {
            req.metrics.time('step', () => {
              throw new Error('sync')
            })
          } else {
            await req.metrics.time('step', async () => {
              throw new Error('async')
            })
          }
        } catch (error) {
          res.status(500).send((error as Error).message)
        }
      })

      await request(measured.app).get('/fail/sync').expect(500, 'sync')
      await request(measured.app).get('/fail/async').expect(500, 'async')
      await measured.flushed(2)
      await measured.receiver.waitFor(
        () => measured.read.executionTimings('/fail/:mode', 'GET', 'step').length === 2,
      )

      expect(measured.read.executionTimings('/fail/:mode', 'GET', 'step')).toHaveLength(2)
    })
  },
)
