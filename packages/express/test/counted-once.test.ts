import http from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, type Deferred, deferred, listen, until } from './support/async'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

const EACH = 25

/** GET `path` over `agent`; resolves with the status once the body has arrived. */
function get(port: number, path: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
  })
}

/** GET `path` on its own connection, dropped once the handler has the request. */
async function abandon(port: number, path: string, entered: Promise<void>): Promise<void> {
  const req = http.get({ host: '127.0.0.1', port, path, agent: false })
  const closed = new Promise((resolve) => req.on('close', resolve))
  req.on('error', () => {})
  await entered
  req.destroy()
  await closed
}

describe.each(MATRIX)(
  '$major, $naming naming: every request is counted exactly once',
  ({ express, naming }) => {
    let measured: MeasuredApp
    let server: http.Server
    afterEach(async () => {
      await closeServer(server)
      await measured.close()
    })

    it(`${EACH} each of answered, failed-and-handled, failed-unhandled and abandoned requests, concurrently`, async () => {
      measured = await measuredApp(express, naming)
      const entered = Array.from({ length: EACH }, () => deferred())
      const api = express.Router()
      api.get('/ok/:id', (_req, res) => {
        res.send('ok')
      })
      api.get('/handled/:id', () => {
        throw Object.assign(new Error('bad input'), { status: 422 })
      })
      // Express 5 would catch a rejected promise; Express 4 needs next(err): both end in finalhandler.
      api.get('/unhandled/:id', (_req, _res, next) => {
        setImmediate(() => next(new Error('crash')))
      })
      api.get('/abandoned/:id', (req) => {
        entered[Number(req.params.id)]?.resolve() // and never answers
      })
      measured.app.use('/api', api)
      measured.app.use(
        (err: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
          if (err.status === undefined) next(err)
          else res.status(err.status).send(err.message)
        },
      )
      server = http.createServer(measured.app)
      const port = await listen(server)
      const agent = new http.Agent({ keepAlive: true, maxSockets: 20 })

      const work: Array<Promise<unknown>> = []
      for (let i = 0; i < EACH; i++) {
        work.push(get(port, `/api/ok/${i}`, agent))
        work.push(get(port, `/api/handled/${i}`, agent))
        work.push(get(port, `/api/unhandled/${i}`, agent))
        work.push(abandon(port, `/api/abandoned/${i}`, (entered[i] as Deferred).promise))
      }
      await Promise.all(work)
      agent.destroy()
      await until(
        () => measured.metrics.meter.stats().activeRequests === 0,
        'every request is recorded',
      )
      await measured.flushed(EACH * 4)

      expect(measured.read.count('/api/ok/:id', 'GET', 200)).toBe(EACH)
      expect(measured.read.count('/api/handled/:id', 'GET', 422)).toBe(EACH)
      expect(measured.read.count('/api/unhandled/:id', 'GET', 500)).toBe(EACH)
      expect(measured.read.count('/api/abandoned/:id', 'GET', 499)).toBe(EACH)
      expect(measured.read.total()).toBe(EACH * 4)
    })
  },
)
