import { startStatsdReceiver } from '@routemeter/core/testing'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { MATRIX, type MeasuredApp, measuredApp, RequestMetricsReader } from './support/harness'

describe.each(MATRIX)(
  '$major, $naming naming: functions and apps mounted with app.use(path, …)',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('a function mounted at a path that answers is labelled with the mount path', async () => {
      measured = await measuredApp(express, naming)
      measured.app.use('/health', (_req, res) => {
        res.send('ok')
      })
      measured.app.use('/avatars/:user', (_req, res) => {
        res.status(304).end()
      })

      await request(measured.app).get('/health').expect(200)
      await request(measured.app).get('/health/deep').expect(200)
      await request(measured.app).get('/avatars/ada/large.png').expect(304)
      await measured.flushed(3)

      expect(measured.read.count('/health', 'GET', 200)).toBe(2)
      expect(measured.read.count('/avatars/:user', 'GET', 304)).toBe(1)
    })

    it('one that passes the request on with next() gives the label back', async () => {
      measured = await measuredApp(express, naming)
      // Like express.static: answers for files it has, passes everything else on.
      measured.app.use('/assets', (req: Request, res: Response, next: NextFunction) => {
        if (req.path === '/app.js') res.send('js')
        else next()
      })
      measured.app.get('/assets/manifest.json', (_req, res) => {
        res.json({})
      })

      await request(measured.app).get('/assets/app.js').expect(200)
      await request(measured.app).get('/assets/manifest.json').expect(200)
      await request(measured.app).get('/assets/missing.css').expect(404)
      await measured.flushed(3)

      expect(measured.read.count('/assets', 'GET', 200)).toBe(1)
      expect(measured.read.count('/assets/manifest.json', 'GET', 200)).toBe(1)
      expect(measured.read.count(null, 'GET', 404)).toBe(1)
    })

    it('one that passes an error on gives the label back: the error middleware’s answer, no route matched, is unmatched', async () => {
      measured = await measuredApp(express, naming)
      measured.app.use('/uploads/:bucket', (_req: Request, _res: Response, next: NextFunction) => {
        next(Object.assign(new Error('quota'), { status: 507 }))
      })
      measured.app.use(
        (err: Error & { status: number }, _req: Request, res: Response, _next: NextFunction) => {
          res.status(err.status).send(err.message)
        },
      )

      await request(measured.app).post('/uploads/photos').expect(507)
      await measured.flushed(1)

      expect(measured.read.count(null, 'POST', 507)).toBe(1)
    })
  },
)

describe.each(MATRIX)(
  '$major, $naming naming: the middleware mounted below the top level',
  ({ express, naming }) => {
    it('inside a parameterised router, labels start with that router’s mount path', async () => {
      const receiver = await startStatsdReceiver()
      const metrics = routemeter({
        port: receiver.port,
        naming,
        prefix: null,
        flushIntervalMs: 3_600_000,
      })
      const app = express()
      const api = express.Router()
      api.use(metrics)
      api.get('/users/:id', (_req, res) => {
        res.send('user')
      })
      app.use('/api/:version', api)

      await request(app).get('/api/v1/users/1').expect(200)
      await request(app).get('/api/v2/users/2').expect(200)
      await metrics.meter.flush()
      const read = new RequestMetricsReader(receiver, naming)
      await receiver.waitFor(() => read.total() >= 2)

      expect(read.count('/api/:version/users/:id', 'GET', 200)).toBe(2)
      await metrics.close()
      await receiver.close()
    })
  },
)
