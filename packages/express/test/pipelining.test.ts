import http from 'node:http'
import {
  deferred,
  openRawConnection,
  rawRequest,
  watchProcessFaults,
} from '@routemeter/test-support'
import type { NextFunction, Request, Response } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, listen, until } from './support/async'
import { MAJORS, type MeasuredApp, measuredApp } from './support/harness'

/**
 * HTTP/1.1 pipelining: a client sends several requests on one connection without waiting.
 * Node runs their handlers at once but queues each response behind the one before it; the
 * queued responses have no socket, and when the connection dies Node 20 neither finishes nor
 * closes them. Each request must still be recorded once, and the active-requests gauge must
 * come back to 0.
 */
describe.each(MAJORS)('$major: pipelined requests', ({ express }) => {
  let measured: MeasuredApp
  let server: http.Server | undefined
  afterEach(async () => {
    if (server !== undefined) await closeServer(server)
    server = undefined
    await measured.close()
  })

  async function serveSlowAndFast() {
    const entered = deferred()
    const release = deferred()
    const answered = deferred()
    measured = await measuredApp(express, 'tags')
    const { app } = measured
    app.use(express.json())
    app.get('/slow/:id', (_req: Request, res: Response) => {
      entered.resolve()
      void release.promise.then(() => {
        res.send('slow')
        answered.resolve()
      })
    })
    app.get('/fast/:id', (_req: Request, res: Response) => {
      res.send('fast')
    })
    app.post('/orders', (req: Request, res: Response) => {
      res.json({ got: req.body })
    })
    server = http.createServer(app)
    const port = await listen(server)
    return { port, entered, release, answered }
  }

  const PIPELINE =
    rawRequest('GET', '/slow/1') +
    rawRequest('GET', '/fast/2') +
    // A queued POST whose body was read: its request stream closes long before the socket.
    rawRequest('POST', '/orders', {
      body: '{"item":3}',
      headers: { 'content-type': 'application/json' },
    }) +
    rawRequest('GET', '/missing')

  it('queued behind a slow one when the client hangs up: each recorded once as 499, gauge back to 0', async () => {
    const { port, entered, release, answered } = await serveSlowAndFast()
    const meter = measured.metrics.meter
    const connection = await openRawConnection(port)
    connection.write(PIPELINE)
    await entered.promise
    await until(() => meter.stats().activeRequests === 4, 'all four handlers ran')

    connection.abort()
    await connection.closed
    await until(() => meter.stats().activeRequests === 0, 'every request ended')
    release.resolve()
    await answered.promise
    await measured.flushed(4)

    expect(connection.statuses()).toEqual([])
    expect(measured.read.count('/slow/:id', 'GET', 499)).toBe(1)
    expect(measured.read.count('/fast/:id', 'GET', 499)).toBe(1)
    expect(measured.read.count('/orders', 'POST', 499)).toBe(1)
    expect(measured.read.count(null, 'GET', 499)).toBe(1)
    expect(measured.read.total()).toBe(4)
    expect(measured.receiver.gauge('http.server.active_requests')).toBe(0)
  })

  it('answered in order when the client stays: each recorded once with its status', async () => {
    const { port, release } = await serveSlowAndFast()
    const meter = measured.metrics.meter
    const connection = await openRawConnection(port)
    connection.write(PIPELINE)
    await until(() => meter.stats().activeRequests === 4, 'all four handlers ran')
    release.resolve()
    await until(() => connection.statuses().length === 4, 'four responses')
    connection.abort()
    await until(() => meter.stats().activeRequests === 0, 'every request ended')
    await measured.flushed(4)

    expect(connection.statuses()).toEqual([200, 200, 200, 404])
    expect(measured.read.count('/slow/:id', 'GET', 200)).toBe(1)
    expect(measured.read.count('/fast/:id', 'GET', 200)).toBe(1)
    expect(measured.read.count('/orders', 'POST', 200)).toBe(1)
    expect(measured.read.count(null, 'GET', 404)).toBe(1)
    expect(measured.read.total()).toBe(4)
    expect(measured.receiver.gauge('http.server.active_requests')).toBe(0)
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
