import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

// Status classes, templates, HEAD and the active-requests gauge: the conformance suite
// (request-counts.test.ts). A reply Fastify lets the handler write itself stays here.
describe('every status class is counted per route template, method and status', () => {
  let subject: MeasuredApp
  afterEach(() => subject.close())

  it('a hijacked reply written to the raw response counts with the status it wrote', async () => {
    subject = await measuredApp((app) => {
      app.get('/raw/:id', (_request, reply) => {
        reply.hijack()
        reply.raw.writeHead(202, { 'content-type': 'text/plain' })
        reply.raw.end('accepted')
      })
    })
    const { app, receiver } = subject
    expect((await app.inject('/raw/1')).statusCode).toBe(202)
    await settle(app, receiver)
    expect(requestSeries(receiver)).toEqual({ 'GET /raw/:id 202': 1 })
  })
})
