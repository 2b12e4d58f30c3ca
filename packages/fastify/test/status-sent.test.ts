import { afterEach, describe, expect, it } from 'vitest'
import {
  listen,
  type MeasuredApp,
  measuredApp,
  openRequest,
  requestSeries,
  settle,
} from './support'

/**
 * The status recorded is the one in the head the client got. `reply.code()` after the reply
 * was sent still sets `statusCode` on the raw response (Fastify only logs the second send), and
 * on a real socket `finish` comes after that.
 */
describe('the status recorded is the status sent', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  function auditRoute(app: MeasuredApp['app']): void {
    app.post('/orders/:id', async (_request, reply) => {
      reply.code(201).send({ saved: true })
      // An audit step that fails after the answer went out; the catch sets a status too late.
      reply.code(500)
      return reply
    })
    app.get('/raw/:id', (_request, reply) => {
      reply.hijack()
      reply.raw.writeHead(202, { 'content-type': 'text/plain' })
      reply.raw.statusCode = 503
      reply.raw.end('accepted')
    })
  }

  it('over a socket: reply.code(500) after a 201 was sent records 201; raw writeHead(202) records 202', async () => {
    subject = await measuredApp(auditRoute)
    const { app, receiver } = subject
    const port = await listen(app)
    expect(await openRequest(port, 'POST', '/orders/1', '{}').response).toBe(201)
    expect(await openRequest(port, 'GET', '/raw/1').response).toBe(202)
    await settle(app, receiver)

    expect(requestSeries(receiver)).toEqual({ 'POST /orders/:id 201': 1, 'GET /raw/:id 202': 1 })
  })

  it('through inject: reply.code(500) after a 201 was sent records 201', async () => {
    // (light-my-request itself reports `statusCode` at `finish`, not the head, so the hijacked
    // route is checked over a socket only.)
    subject = await measuredApp(auditRoute)
    const { app, receiver } = subject
    const post = await app.inject({ method: 'POST', url: '/orders/2', payload: {} })
    expect(post.statusCode).toBe(201)
    await settle(app, receiver)

    expect(requestSeries(receiver)).toEqual({ 'POST /orders/:id 201': 1 })
  })
})
