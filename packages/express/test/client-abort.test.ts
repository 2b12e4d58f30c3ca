import http from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, deferred, listen, until } from './support/async'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

/** Sends GET `path` and destroys the connection once `ready` resolves. */
async function abandon(port: number, path: string, ready: Promise<void>): Promise<void> {
  const req = http.get({ host: '127.0.0.1', port, path, agent: false })
  req.on('error', () => {})
  req.on('response', (res) => res.resume())
  await ready
  req.destroy()
}

describe.each(MATRIX)(
  '$major, $naming naming: a client that leaves before the response finished is counted once as 499',
  ({ express, naming }) => {
    let measured: MeasuredApp
    let server: http.Server | undefined
    afterEach(async () => {
      if (server !== undefined) await closeServer(server)
      server = undefined
      await measured.close()
    })

    async function serve(): Promise<number> {
      server = http.createServer(measured.app)
      return listen(server)
    }

    it('while the route is still working: 499 under the route, nothing more when it answers later', async () => {
      measured = await measuredApp(express, naming)
      const entered = deferred()
      const release = deferred()
      const answered = deferred()
      const reports = express.Router()
      reports.get('/:id', (_req: Request, res: Response) => {
        entered.resolve()
        void release.promise.then(() => {
          res.send('too late')
          answered.resolve()
        })
      })
      measured.app.use('/reports', reports)
      const port = await serve()

      await abandon(port, '/reports/7', entered.promise)
      await until(
        () => measured.metrics.meter.stats().activeRequests === 0,
        'the abort is recorded',
      )
      release.resolve()
      await answered.promise
      await measured.flushed(1)

      expect(measured.read.count('/reports/:id', 'GET', 499)).toBe(1)
      expect(measured.read.total()).toBe(1)
      expect(measured.read.durations('/reports/:id', 'GET', 499)).toHaveLength(1)
    })

    it('after part of the body was sent: still 499, the response never finished', async () => {
      measured = await measuredApp(express, naming)
      const firstChunk = deferred()
      measured.app.get('/stream/:topic', (_req: Request, res: Response) => {
        res.status(200)
        res.write('first chunk\n')
      })
      const port = await serve()

      const req = http.get({ host: '127.0.0.1', port, path: '/stream/news', agent: false })
      req.on('error', () => {})
      req.on('response', (res) => res.once('data', () => firstChunk.resolve()))
      await firstChunk.promise
      req.destroy()
      await until(
        () => measured.metrics.meter.stats().activeRequests === 0,
        'the abort is recorded',
      )
      await measured.flushed(1)

      expect(measured.read.count('/stream/:topic', 'GET', 499)).toBe(1)
      expect(measured.read.total()).toBe(1)
    })

    it('before any route matched (in slow middleware): 499 as unmatched', async () => {
      measured = await measuredApp(express, naming)
      const entered = deferred()
      measured.app.use((_req: Request, _res: Response, _next: NextFunction) => {
        entered.resolve() // and never calls next()
      })
      measured.app.get('/never', (_req, res) => {
        res.send('unreachable')
      })
      const port = await serve()

      await abandon(port, '/never', entered.promise)
      await until(
        () => measured.metrics.meter.stats().activeRequests === 0,
        'the abort is recorded',
      )
      await measured.flushed(1)

      expect(measured.read.count(null, 'GET', 499)).toBe(1)
    })
  },
)
