import express5 from 'express'
import express4 from 'express4'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp, NAMINGS } from './support/harness'

/**
 * Regex and array paths have no template syntax; they are rendered by fixed rules (RegExp
 * literal; array elements joined with `,`) so a route always gets the same label, whichever
 * Express major registered it.
 */
describe.each(MATRIX)(
  '$major, $naming naming: regex and array paths are rendered deterministically',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('a RegExp route is labelled with its literal, whatever the URL', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get(/^\/reports\/(\d+)$/, (_req, res) => {
        res.send('report')
      })

      await request(measured.app).get('/reports/1').expect(200)
      await request(measured.app).get('/reports/2024').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/^\\/reports\\/(\\d+)$/', 'GET', 200)).toBe(2)
      expect(measured.read.labels()).toHaveLength(1)
    })

    it('an array route is one label: its paths joined with commas', async () => {
      measured = await measuredApp(express, naming)
      measured.app.get(['/about', '/company/:section'], (_req, res) => {
        res.send('about')
      })

      await request(measured.app).get('/about').expect(200)
      await request(measured.app).get('/company/team').expect(200)
      await measured.flushed(2)

      expect(measured.read.count('/about,/company/:section', 'GET', 200)).toBe(2)
    })

    it('array and RegExp mount paths prefix the routes below them the same way', async () => {
      measured = await measuredApp(express, naming)
      const items = express.Router()
      items.get('/items/:id', (_req, res) => {
        res.send('item')
      })
      measured.app.use(['/shop', '/store/:region'], items)
      const versioned = express.Router()
      versioned.get('/health', (_req, res) => {
        res.send('ok')
      })
      measured.app.use(/^\/v\d+/, versioned)

      await request(measured.app).get('/shop/items/1').expect(200)
      await request(measured.app).get('/store/eu/items/2').expect(200)
      await request(measured.app).get('/v3/health').expect(200)
      await measured.flushed(3)

      expect(measured.read.count('/shop,/store/:region/items/:id', 'GET', 200)).toBe(2)
      expect(measured.read.count('/^\\/v\\d+//health', 'GET', 200)).toBe(1)
    })
  },
)

describe.each(NAMINGS)('Express 5 path syntax, %s naming', (naming) => {
  let measured: MeasuredApp
  afterEach(() => measured.close())

  it('named wildcards (/*splat) and optional groups ({/:id}) are kept as written', async () => {
    measured = await measuredApp(express5, naming)
    measured.app.get('/files/*splat', (_req, res) => {
      res.send('file')
    })
    measured.app.get('/users{/:id}', (_req, res) => {
      res.send('user')
    })
    const docs = express5.Router()
    docs.get('/', (_req, res) => {
      res.send('docs')
    })
    measured.app.use('/docs{/:lang}', docs)

    await request(measured.app).get('/files/a/b/c.txt').expect(200)
    await request(measured.app).get('/files/d').expect(200)
    await request(measured.app).get('/users').expect(200)
    await request(measured.app).get('/users/42').expect(200)
    await request(measured.app).get('/docs').expect(200, 'docs')
    await request(measured.app).get('/docs/en').expect(200, 'docs')
    await measured.flushed(6)

    expect(measured.read.count('/files/*splat', 'GET', 200)).toBe(2)
    expect(measured.read.count('/users{/:id}', 'GET', 200)).toBe(2)
    expect(measured.read.count('/docs{/:lang}', 'GET', 200)).toBe(2)
  })
})

describe('Express 5 path syntax on the wire', () => {
  let measured: MeasuredApp
  afterEach(() => measured.close())

  // What a dashboard query must say: `*`, `{` and `}` are not tag characters, nor path ones.
  it.each([
    ['tags', ['route:/files/_file,', 'route:/users_/:id_,']],
    ['path', ['counters.files._file.GET.200:1|c', 'counters.users_._id_.GET.200:1|c']],
  ] as const)('%s naming: /files/*file and /users{/:id} as sent', async (naming, expected) => {
    measured = await measuredApp(express5, naming)
    measured.app.get('/files/*file', (_req, res) => {
      res.send('file')
    })
    measured.app.get('/users{/:id}', (_req, res) => {
      res.send('user')
    })
    await request(measured.app).get('/files/a/b.txt').expect(200)
    await request(measured.app).get('/users/7').expect(200)
    await measured.flushed(2)
    const wire = measured.receiver.lines().join('\n')
    for (const text of expected) expect(wire).toContain(text)
  })
})

describe.each(NAMINGS)('Express 4 path syntax, %s naming', (naming) => {
  let measured: MeasuredApp
  afterEach(() => measured.close())

  it('*, optional and custom-pattern parameters, in routes and in mount paths', async () => {
    measured = await measuredApp(express4, naming)
    measured.app.get('/files/*', (_req, res) => {
      res.send('file')
    })
    measured.app.get('/users/:id?', (_req, res) => {
      res.send('user')
    })
    const api = express4.Router()
    api.get('/items/:id(\\d+)', (_req, res) => {
      res.send('item')
    })
    measured.app.use('/api/:version(v\\d+)', api)
    const formats = express4.Router()
    formats.get('/', (_req, res) => {
      res.send('export')
    })
    measured.app.use('/export.:format', formats)

    await request(measured.app).get('/files/a/b').expect(200)
    await request(measured.app).get('/users').expect(200)
    await request(measured.app).get('/users/1').expect(200)
    await request(measured.app).get('/api/v2/items/9').expect(200)
    await request(measured.app).get('/export.csv').expect(200)
    await measured.flushed(5)

    expect(measured.read.count('/files/*', 'GET', 200)).toBe(1)
    expect(measured.read.count('/users/:id?', 'GET', 200)).toBe(2)
    expect(measured.read.count('/api/:version(v\\d+)/items/:id(\\d+)', 'GET', 200)).toBe(1)
    expect(measured.read.count('/export.:format', 'GET', 200)).toBe(1)
  })
})
