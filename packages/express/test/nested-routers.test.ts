import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

describe.each(MATRIX)(
  '$major, $naming naming: the route label is the full template across routers',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('a router in a router in a router: every mount path is part of the label', async () => {
      measured = await measuredApp(express, naming)
      const users = express.Router()
      users.get('/:id', (req, res) => {
        res.send(req.params.id)
      })
      const v1 = express.Router()
      v1.use('/users', users)
      const api = express.Router()
      api.use('/v1', v1)
      measured.app.use('/api', api)

      await request(measured.app).get('/api/v1/users/7').expect(200, '7')
      await request(measured.app).get('/api/v1/users/8').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/api/v1/users/:id', 'GET', 200)).toBe(2)
      expect(measured.read.labels()).toEqual([measured.read.label('/api/v1/users/:id')])
    })

    it('parameterised mounts stay templates: never the matched values req.baseUrl holds', async () => {
      measured = await measuredApp(express, naming)
      const orders = express.Router({ mergeParams: true })
      orders.get('/orders/:orderId', (req, res) => {
        res.json({ baseUrl: req.baseUrl })
      })
      measured.app.use('/tenants/:tenant', orders)

      const first = await request(measured.app).get('/tenants/acme/orders/1').expect(200)
      expect(first.body.baseUrl).toBe('/tenants/acme')
      await request(measured.app).get('/tenants/globex/orders/2').expect(200)
      // Mount paths match case-insensitively; the label keeps the registered spelling.
      await request(measured.app).get('/TENANTS/initech/orders/3').expect(200)
      await measured.flushed(3)

      expect(measured.read.count('/tenants/:tenant/orders/:orderId', 'GET', 200)).toBe(3)
      expect(measured.read.labels()).toEqual([
        measured.read.label('/tenants/:tenant/orders/:orderId'),
      ])
      for (const value of ['acme', 'globex', 'initech', 'TENANTS']) {
        expect(measured.receiver.lines().join('\n')).not.toContain(value)
      }
    })

    it('a router mounted at / adds nothing; the root route is /', async () => {
      measured = await measuredApp(express, naming)
      const router = express.Router()
      router.get('/status', (_req, res) => {
        res.send('ok')
      })
      measured.app.use(router)
      measured.app.get('/', (_req, res) => {
        res.send('home')
      })

      await request(measured.app).get('/status').expect(200)
      await request(measured.app).get('/').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/status', 'GET', 200)).toBe(1)
      expect(measured.read.count('/', 'GET', 200)).toBe(1)
    })

    it("a router's own / route is labelled with its mount path", async () => {
      measured = await measuredApp(express, naming)
      const router = express.Router()
      router.get('/', (_req, res) => {
        res.send('list')
      })
      measured.app.use('/items/', router)

      await request(measured.app).get('/items').expect(200)
      await request(measured.app).get('/items/').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/items', 'GET', 200)).toBe(2)
    })

    it('after a router passes the request on with next(), later routes are not under its mount path', async () => {
      measured = await measuredApp(express, naming)
      const api = express.Router()
      api.get('/users', (_req, res) => {
        res.send('users')
      })
      api.use((_req, _res, next) => next('router'))
      measured.app.use('/api', api)
      const other = express.Router()
      other.get('/status', (_req, res) => {
        res.send('up')
      })
      measured.app.use('/api', other)
      measured.app.get('/api/version', (_req, res) => {
        res.send('1')
      })

      await request(measured.app).get('/api/status').expect(200, 'up')
      await request(measured.app).get('/api/version').expect(200, '1')
      await request(measured.app).get('/api/users').expect(200, 'users')
      await measured.flushed(3)

      expect(measured.read.count('/api/status', 'GET', 200)).toBe(1)
      expect(measured.read.count('/api/version', 'GET', 200)).toBe(1)
      expect(measured.read.count('/api/users', 'GET', 200)).toBe(1)
    })

    it('one router mounted at two paths is labelled by the path each request came through', async () => {
      measured = await measuredApp(express, naming)
      const shared = express.Router()
      shared.get('/ping', (_req, res) => {
        res.send('pong')
      })
      measured.app.use('/v1', shared)
      measured.app.use('/v2/:channel', shared)

      await request(measured.app).get('/v1/ping').expect(200)
      await request(measured.app).get('/v2/beta/ping').expect(200)
      await request(measured.app).get('/v1/ping').expect(200)
      await measured.flushed(3)

      expect(measured.read.count('/v1/ping', 'GET', 200)).toBe(2)
      expect(measured.read.count('/v2/:channel/ping', 'GET', 200)).toBe(1)
    })

    it('routes and routers added after the first request are labelled too', async () => {
      measured = await measuredApp(express, naming)
      const api = express.Router()
      measured.app.use('/api', api)
      measured.app.get('/early', (_req, res) => {
        res.send('early')
      })
      await request(measured.app).get('/early').expect(200)

      api.get('/late/:id', (_req, res) => {
        res.send('late')
      })
      const admin = express.Router()
      admin.get('/users/:id', (_req, res) => {
        res.send('admin')
      })
      measured.app.use('/admin/:org', admin)

      await request(measured.app).get('/api/late/1').expect(200)
      await request(measured.app).get('/admin/acme/users/2').expect(200)
      await measured.flushed(3)

      expect(measured.read.count('/early', 'GET', 200)).toBe(1)
      expect(measured.read.count('/api/late/:id', 'GET', 200)).toBe(1)
      expect(measured.read.count('/admin/:org/users/:id', 'GET', 200)).toBe(1)
    })

    it('app.route() chains and HEAD requests served by a GET route share the template', async () => {
      measured = await measuredApp(express, naming)
      measured.app
        .route('/books/:isbn')
        .get((_req, res) => {
          res.send('book')
        })
        .put((_req, res) => {
          res.status(204).end()
        })

      await request(measured.app).get('/books/1').expect(200)
      await request(measured.app).head('/books/1').expect(200)
      await request(measured.app).put('/books/1').expect(204)
      await measured.flushed(3)

      expect(measured.read.count('/books/:isbn', 'GET', 200)).toBe(1)
      expect(measured.read.count('/books/:isbn', 'HEAD', 200)).toBe(1)
      expect(measured.read.count('/books/:isbn', 'PUT', 204)).toBe(1)
    })
  },
)
