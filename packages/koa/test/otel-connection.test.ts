import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import Router from '@koa/router'
import { createCaptureMeter } from '@routemeter/core/testing'
import { requestClaimingSchemes } from '@routemeter/test-support'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'

const DURATION = 'http.server.request.duration'

/**
 * `url.scheme` comes from the connection Node accepted: a Koa app on a real cleartext HTTP/2
 * (h2c) server, and a client that writes `:scheme` as it likes.
 */
describe('Koa on h2c: url.scheme from the connection, never from :scheme', () => {
  let closeAll: (() => Promise<void>) | undefined
  afterEach(async () => {
    await closeAll?.()
    closeAll = undefined
  })

  it("the client's :scheme (https, or any word) is not the scheme — 200 values are one http series", async () => {
    const capture = createCaptureMeter({ prefix: null, naming: 'otel' })
    const metrics = routemeter({ meter: capture.meter })
    const app = new Koa()
    app.silent = true
    const router = new Router()
    router.get('/users/:id', (ctx) => {
      ctx.body = 'user'
    })
    app.use(metrics).use(router.routes())
    const server = http2.createServer(app.callback())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    session.on('error', () => {})
    closeAll = async () => {
      session.destroy()
      await new Promise((resolve) => server.close(resolve))
      await metrics.close()
      await capture.meter.close()
    }
    await requestClaimingSchemes(session, '/users/1')
    await capture.meter.flush()
    const samples = capture.find(DURATION)
    expect(samples).toHaveLength(200)
    expect(new Set(samples.map((sample) => sample.tags['url.scheme']))).toEqual(new Set(['http']))
    expect(samples[0]?.tags).toMatchObject({
      'http.route': '/users/:id',
      'network.protocol.version': '2',
    })
  })
})
