import { openRawConnection, rawRequest } from '@routemeter/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, listen, type MeasuredApp, measuredApp, requestSeries, settle } from './support'

/**
 * Node's `requestTimeout`: a request whose body stops arriving is answered by the server
 * itself (Fastify's clientError handler writes the 408, then destroys the socket); the route
 * never answers. The client got a 408, so 408 is recorded — once, under the route.
 */
describe('requestTimeout: a stalled upload', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('is recorded once as the 408 the client got, under its route', async () => {
    subject = await measuredApp(
      (app) => {
        app.post('/uploads/:id', async (request) => ({ size: JSON.stringify(request.body).length }))
      },
      {},
      { requestTimeout: 300 },
    )
    const { app, receiver } = subject
    // Node checks for expired requests every 30 s by default; the test has no such patience.
    const server = app.server as typeof app.server & { connectionsCheckingInterval: number }
    server.connectionsCheckingInterval = 20
    // Fastify sets requestTimeout after creating the server, so headersTimeout keeps Node's
    // 60 s; so set, Node 20 did not time the stalled body out within 5 s in our runs. Line the
    // two up as http.createServer({ requestTimeout }) would.
    server.headersTimeout = 300
    const connection = await openRawConnection(await listen(app))
    connection.write(
      rawRequest('POST', '/uploads/1', {
        body: '{"part":',
        contentLength: 1000,
        headers: { 'content-type': 'application/json' },
      }),
    )
    await connection.closed
    await eventually(() => app.metrics.stats().activeRequests === 0, 'the request ended')
    await settle(app, receiver)

    expect(connection.statuses()).toEqual([408])
    expect(requestSeries(receiver)).toEqual({ 'POST /uploads/:id 408': 1 })
  })
})
