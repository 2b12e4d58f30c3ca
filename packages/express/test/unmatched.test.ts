import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

// 404s of every kind and the app's not-found handler: the conformance suite
// (request-counts.test.ts). Express' automatic OPTIONS answer stays here.
describe.each(MATRIX)(
  '$major, $naming naming: requests no route matched go to the unmatched bucket',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

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
  },
)
