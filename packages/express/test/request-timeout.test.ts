import http from 'node:http'
import { openRawConnection, rawRequest } from '@routemeter/test-support'
import type { Request, Response } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, listen, until } from './support/async'
import { MAJORS, type MeasuredApp, measuredApp } from './support/harness'

/**
 * Node's `requestTimeout`: a request whose body stops arriving is answered by Node itself
 * (`408 Request Timeout`, then the socket is destroyed); the route never answers. The client
 * got a 408, so 408 is recorded — once, under the route.
 */
describe.each(MAJORS)('$major: requestTimeout on a stalled upload', ({ express }) => {
  let measured: MeasuredApp
  let server: http.Server | undefined
  afterEach(async () => {
    if (server !== undefined) await closeServer(server)
    server = undefined
    await measured.close()
  })

  it('is recorded once as the 408 the client got, under its route', async () => {
    measured = await measuredApp(express, 'tags')
    measured.app.post('/uploads/:id', express.json(), (req: Request, res: Response) => {
      res.json({ size: JSON.stringify(req.body).length })
    })
    // Node checks for expired requests every 30 s by default; the test has no such patience.
    server = http.createServer(
      { requestTimeout: 300, connectionsCheckingInterval: 20 },
      measured.app,
    )
    const connection = await openRawConnection(await listen(server))
    connection.write(
      rawRequest('POST', '/uploads/1', {
        body: '{"part":',
        contentLength: 1000,
        headers: { 'content-type': 'application/json' },
      }),
    )
    await connection.closed
    await until(() => measured.metrics.meter.stats().activeRequests === 0, 'the request ended')
    await measured.flushed(1)

    expect(connection.statuses()).toEqual([408])
    expect(measured.read.count('/uploads/:id', 'POST', 408)).toBe(1)
    expect(measured.read.total()).toBe(1)
  })
})
