import http from 'node:http'
import { createCaptureMeter } from '@routemeter/core/testing'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { MAJORS } from './support/harness'

const FIX = 'Mount it before them: app.use(metrics)'

function capturing() {
  const warnings: string[] = []
  const capture = createCaptureMeter({ prefix: null, logger: { warn: (m) => warnings.push(m) } })
  const metrics = routemeter({ meter: capture.meter })
  return { warnings, capture, metrics }
}

describe.each(MAJORS)('$major: the middleware mounted after the routes', ({ express }) => {
  it('req.metrics is there (no-op) in a route the middleware never saw, and the mount is reported once, with the fix', async () => {
    const { warnings, capture, metrics } = capturing()
    const app = express()
    app.get('/users/:id', (req: Request, res: Response) => {
      // Express 4 used to throw a TypeError here: req.metrics was undefined.
      const user = req.metrics.time('db.query', () => `user ${req.params.id}`)
      req.metrics.timer('render')()
      res.send(user)
    })
    app.use(metrics)
    for (let i = 0; i < 3; i++) await request(app).get(`/users/${i}`).expect(200, `user ${i}`)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'routemeter Express middleware is mounted after the route GET /users/:id',
    )
    expect(warnings[0]).toContain(FIX)
    // A request that reaches it is measured; the report is not repeated.
    await request(app).get('/nowhere').expect(404)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests')).toBe(1)
    expect(capture.timings('db.query')).toEqual([])
    expect(warnings).toHaveLength(1)
    await metrics.close()
    await capture.meter.close()
  })

  it('routes registered before it are reported when it first sees a request, though no handler reads req.metrics', async () => {
    const { warnings, capture, metrics } = capturing()
    const app = express()
    app.get('/health', (_req: Request, res: Response) => {
      res.send('ok')
    })
    const api = express.Router()
    api.get('/orders/:id', (_req: Request, res: Response) => {
      res.send('order')
    })
    app.use('/api', api)
    app.use(metrics)
    await request(app).get('/health').expect(200)
    expect(warnings).toEqual([])
    await request(app).get('/missing').expect(404)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('2 routes registered before it (/health, /api (a router))')
    expect(warnings[0]).toContain(FIX)
    await metrics.close()
    await capture.meter.close()
  })

  it('mounted first, after middleware that passes requests on (static files, a body parser), nothing is reported', async () => {
    const { warnings, capture, metrics } = capturing()
    const app = express()
    app.use('/assets', (_req: Request, _res: Response, next: NextFunction) => next())
    app.use(express.json())
    app.use(metrics)
    app.get('/users/:id', (req: Request, res: Response) => {
      res.send(req.metrics.time('db.query', () => 'user'))
    })
    await request(app).get('/users/1').expect(200)
    await request(app).get('/assets/app.js').expect(404)
    await capture.meter.flush()
    expect(capture.timings('db.query', { route: '/users/:id' })).toHaveLength(1)
    expect(warnings).toEqual([])
    await metrics.close()
    await capture.meter.close()
  })
})

describe.each(MAJORS)(
  '$major: the middleware called from a middleware of the app',
  ({ express }) => {
    it('counts and labels as mounted, and reports no mount order it cannot see', async () => {
      const { warnings, capture, metrics } = capturing()
      const app = express()
      // Not in the app's stack itself: nothing tells where it runs, so nothing is reported.
      app.use((req: Request, res: Response, next: NextFunction) =>
        req.path === '/skip' ? next() : metrics(req, res, next),
      )
      app.get('/a/:id', (req: Request, res: Response) => {
        res.send(req.metrics.time('db.query', () => 'a'))
      })
      await request(app).get('/a/1').expect(200)
      await request(app).get('/a/2').expect(200)
      await capture.meter.flush()
      expect(capture.counter('http.server.requests', { route: '/a/:id' })).toBe(2)
      expect(capture.timings('db.query', { route: '/a/:id' })).toHaveLength(2)
      expect(warnings).toEqual([])
      await metrics.close()
      await capture.meter.close()
    })
  },
)

describe('req.metrics on requests of servers without routemeter', () => {
  it('reads as no-op timers and can be assigned, like a plain property', async () => {
    routemeter({ enabled: false })
    const server = http.createServer((req, res) => {
      const request = req as http.IncomingMessage & {
        metrics: { time<T>(n: string, f: () => T): T }
      }
      const before = request.metrics.time('x', () => 'ran')
      const own = { time: <T>(_n: string, f: () => T) => f() }
      request.metrics = own
      res.end(`${before} ${request.metrics === own}`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text()
    server.close()
    expect(body).toBe('ran true')
  })
})
