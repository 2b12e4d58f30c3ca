import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { fetchAnswer } from '@routemeter/conformance'
import { createCaptureMeter } from '@routemeter/core/testing'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { type RoutemeterEnv, routemeter } from '../src/index'

describe('Hono: the middleware added after the routes', () => {
  it('c.var.metrics is there (no-op) in a route it never saw, and the mount is reported once, with the fix', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({ prefix: null, logger: { warn: (m) => warnings.push(m) } })
    const metrics = routemeter({ meter: capture.meter })
    const app = new Hono<RoutemeterEnv>()
    app.get('/users/:id', (c) => {
      c.var.metrics.timer('render')()
      return c.text(c.var.metrics.time('db.query', () => `user ${c.req.param('id')}`))
    })
    app.use(metrics)
    app.get('/later/:id', (c) => c.text(c.var.metrics.time('db.query', () => 'later')))
    const server = createAdaptorServer({ fetch: app.fetch }) as Server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    try {
      for (let i = 0; i < 3; i++) {
        expect(await fetchAnswer(port, `/users/${i}`, 'GET', {})).toEqual({
          status: 200,
          body: `user ${i}`,
        })
      }
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(
        'routemeter Hono middleware is mounted after a route or middleware',
      )
      expect(warnings[0]).toContain('Mount it before them: app.use(metrics) first')
      // The routes after it are measured as usual.
      expect((await fetchAnswer(port, '/later/1', 'GET', {})).status).toBe(200)
      await capture.meter.flush()
      expect(capture.timings('db.query', { route: '/later/:id' })).toHaveLength(1)
      expect(capture.timings('db.query', { route: '/users/:id' })).toEqual([])
      expect(capture.counter('http.server.requests')).toBe(1)
      expect(warnings).toHaveLength(1)
    } finally {
      await new Promise((resolve) => server.close(resolve))
      await metrics.close()
      await capture.meter.close()
    }
  })
})
