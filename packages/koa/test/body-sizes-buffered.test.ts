import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setImmediate } from 'node:timers/promises'
import Router from '@koa/router'
import { closeMeasuredApp, countedBySeries, send } from '@routemeter/conformance'
import { createCaptureMeter } from '@routemeter/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { MAJORS } from './support/harness'

describe.each(MAJORS)(
  '$major: body bytes buffered before routemeter saw the request',
  ({ Koa }) => {
    let close: (() => Promise<void>) | undefined
    afterEach(async () => {
      await close?.()
      close = undefined
    })

    it('mounted behind async middleware that waits until the whole upload is buffered: a 1 000-byte body counts 1 000, not 0', async () => {
      const capture = createCaptureMeter({ prefix: null, bodySizes: true })
      const metrics = routemeter({ meter: capture.meter })
      const app = new Koa()
      app.silent = true
      // An async step (a session lookup, say) before routemeter: the HTTP parser pushes the body
      // into the request stream meanwhile, where it waits, unread, for a body parser.
      app.use(async (ctx, next) => {
        while (ctx.req.readableLength < 1_000) await setImmediate()
        await next()
      })
      app.use(metrics)
      const router = new Router()
      router.post('/upload', async (ctx) => {
        let received = 0
        for await (const chunk of ctx.req) received += (chunk as Buffer).length
        ctx.body = { received }
      })
      app.use(router.routes())
      const server = http.createServer(app.callback())
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      close = () => closeMeasuredApp(server, metrics, capture)

      const port = (server.address() as AddressInfo).port
      const answer = await send(port, 'POST', '/upload', { body: 'z'.repeat(1_000) })
      expect(JSON.parse(answer.body)).toEqual({ received: 1_000 })
      expect(await countedBySeries(capture, 1)).toEqual({ 'POST /upload 200': 1 })
      expect(capture.timings('http.server.request_bytes', { route: '/upload' })).toEqual([1_000])
    })
  },
)
