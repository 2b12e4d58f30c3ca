import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

describe.each(MATRIX)(
  '$major, $naming naming: requests no route matched go to the unmatched bucket',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('404s are counted under unmatched and no raw path reaches the wire', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/users/:id', (_req, res) => {
        res.send('user')
      })
      const api = express.Router()
      api.get('/orders', (_req, res) => {
        res.send('orders')
      })
      measured.app.use('/api', api)

      await request(measured.app).get('/no-such-page-31337').expect(404)
      await request(measured.app).get('/api/no-such-resource-4242').expect(404)
      await request(measured.app).delete('/users/1').expect(404)
      await request(measured.app).get('/users/1').expect(200)
      await measured.flushed(4)

      expect(measured.read.count(null, 'GET', 404)).toBe(2)
      expect(measured.read.count(null, 'DELETE', 404)).toBe(1)
      expect(measured.read.count('/users/:id', 'GET', 200)).toBe(1)
      expect(measured.read.labels()).toEqual(
        [measured.read.label('/users/:id'), measured.read.label(null)].sort(),
      )
      const wire = measured.receiver.lines().join('\n')
      for (const raw of ['31337', '4242', 'no-such']) expect(wire).not.toContain(raw)
    })

    it('unknown methods are recorded as _OTHER, automatic OPTIONS answers as unmatched', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/items', (_req, res) => {
        res.send('items')
      })

      await request(measured.app).options('/items').expect(200)
      await request(measured.app).propfind('/items').expect(404)
      await measured.flushed(2)

      expect(measured.read.count(null, 'OPTIONS', 200)).toBe(1)
      expect(measured.read.count(null, '_OTHER', 404)).toBe(1)
    })

    it('a custom not-found handler’s status is the one counted', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get('/known', (_req, res) => {
        res.send('known')
      })
      measured.app.use((_req, res) => {
        res.status(410).send('gone')
      })

      await request(measured.app).get('/unknown').expect(410)
      await measured.flushed(1)

      expect(measured.read.count(null, 'GET', 410)).toBe(1)
    })
  },
)
