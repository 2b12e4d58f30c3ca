import http from 'node:http'
import { pipeliningSuite } from '@routemeter/conformance'
import {
  deferred,
  openRawConnection,
  rawRequest,
  watchProcessFaults,
} from '@routemeter/test-support'
import type { NextFunction, Request, Response } from 'express'
import * as test from 'vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, listen, until } from './support/async'
import { EXPRESS_FACTORIES } from './support/conformance-factory'
import { MAJORS, type MeasuredApp, measuredApp } from './support/harness'

// The scenarios every adapter shares (a client hanging up on queued requests, or staying).
for (const factory of EXPRESS_FACTORIES) pipeliningSuite({ test, factory })

/** What only Express needs: on-finished's socket listeners, one per queued response. */
describe.each(MAJORS)('$major: pipelined requests', ({ express }) => {
  let measured: MeasuredApp
  let server: http.Server | undefined
  afterEach(async () => {
    if (server !== undefined) await closeServer(server)
    server = undefined
    await measured.close()
  })

  it("watching a pipelined connection does not count against the app's listener limit", async () => {
    // Express' on-finished adds a `close` listener to the socket per queued response; with
    // Node's own two (the connection's, the in-flight response's), eight of them reach the
    // default limit of 10. routemeter's one socket listener must not be the eleventh.
    const watch = watchProcessFaults()
    try {
      const release = deferred()
      measured = await measuredApp(express, 'tags')
      const { app } = measured
      app.use((req: Request, _res: Response, next: NextFunction) => {
        req.socket.on('close', () => {})
        next()
      })
      app.get('/slow', (_req: Request, res: Response) => {
        void release.promise.then(() => res.send('slow'))
      })
      app.get('/fast/:id', (_req: Request, res: Response) => {
        res.send('fast')
      })
      server = http.createServer(app)
      const connection = await openRawConnection(await listen(server))
      let pipeline = rawRequest('GET', '/slow')
      for (let i = 1; i <= 7; i++) pipeline += rawRequest('GET', `/fast/${i}`)
      connection.write(pipeline)
      const meter = measured.metrics.meter
      await until(() => meter.stats().activeRequests === 8, 'all eight handlers ran')
      release.resolve()
      await until(() => connection.statuses().length === 8, 'eight responses')
      connection.abort()
      await until(() => meter.stats().activeRequests === 0, 'every request ended')
      await measured.flushed(8)

      expect(measured.read.count('/fast/:id', 'GET', 200)).toBe(7)
      expect(watch.faults).toEqual([])
    } finally {
      watch.stop()
    }
  })
})
