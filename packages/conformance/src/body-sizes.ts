import { Readable } from 'node:stream'
import type { RouteSpec } from './adapter'
import { send } from './client'
import { type Measured, measured } from './measured'
import type { SuiteContext } from './suite'

/**
 * `bodySizes`: request and response body sizes in bytes actually received and sent, counted by
 * core from Node's request and response, so no adapter has code for it. The apps parse JSON
 * bodies with the framework's own parser (or the one the factory mounts): the handler echoes
 * what it parsed, which proves counting took nothing from the body parser.
 */
export function bodySizesSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, afterEach } = test

  const routes: RouteSpec[] = [
    {
      method: 'POST',
      path: '/echo/:kind',
      handler: ({ body }) => ({ json: { received: body } }),
    },
    {
      method: 'GET',
      path: '/feed',
      // Streamed: no Content-Length, the reply goes out chunked.
      handler: () => ({ stream: Readable.from(['first,', 'second,', 'é'.repeat(3000)]) }),
    },
    { method: 'GET', path: '/empty', handler: () => ({ status: 204 }) },
  ]

  describe(`${factory.name}: body sizes (bodySizes)`, () => {
    let subject: Measured | undefined
    afterEach(async () => {
      await subject?.close()
      subject = undefined
    })

    const sizes = (kind: 'request' | 'response', route: string, method: string, status: number) =>
      subject?.receiver.timings(`http.server.${kind}_bytes`, {
        route: subject.read.label(route),
        method,
        status_code: String(status),
      })

    it('a JSON body the framework parses and a JSON reply: the bytes sent and received, multi-byte characters included; the parser got the whole body', async () => {
      subject = await measured(factory, { routes }, 'tags', { bodySizes: true })
      const payload = JSON.stringify({ name: 'ü'.repeat(2000), items: [1, 2, 3] })
      const answer = await send(subject.app.port, 'POST', '/echo/json', {
        headers: { 'content-type': 'application/json' },
        body: payload,
      })
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.body)).toEqual({ received: JSON.parse(payload) })
      await subject.settle()
      expect(sizes('request', '/echo/:kind', 'POST', 200)).toEqual([Buffer.byteLength(payload)])
      expect(sizes('response', '/echo/:kind', 'POST', 200)).toEqual([answer.bytes])
    })

    it('a chunked upload counts its payload, not the chunk framing; a streamed reply counts every chunk', async () => {
      subject = await measured(factory, { routes }, 'tags', { bodySizes: true })
      const pieces = ['{"name":"', 'x'.repeat(40_000), '","more":"', 'y'.repeat(9), '"}']
      const upload = await send(subject.app.port, 'POST', '/echo/chunked', {
        headers: { 'content-type': 'application/json' },
        body: pieces,
      })
      expect(JSON.parse(upload.body)).toEqual({ received: JSON.parse(pieces.join('')) })
      const feed = await send(subject.app.port, 'GET', '/feed')
      expect(feed.body).toBe(`first,second,${'é'.repeat(3000)}`)
      await subject.settle()
      expect(sizes('request', '/echo/:kind', 'POST', 200)).toEqual([pieces.join('').length])
      expect(sizes('response', '/echo/:kind', 'POST', 200)).toEqual([upload.bytes])
      expect(sizes('request', '/feed', 'GET', 200)).toEqual([0])
      expect(sizes('response', '/feed', 'GET', 200)).toEqual([13 + 6000])
    })

    it('no body: 0 bytes each way (204), and an unmatched 404 counts the reply the framework sent', async () => {
      subject = await measured(factory, { routes }, 'tags', { bodySizes: true })
      expect((await send(subject.app.port, 'GET', '/empty')).status).toBe(204)
      const missing = await send(subject.app.port, 'GET', '/missing')
      expect(missing.status).toBe(404)
      await subject.settle()
      expect(sizes('request', '/empty', 'GET', 204)).toEqual([0])
      expect(sizes('response', '/empty', 'GET', 204)).toEqual([0])
      expect(sizes('response', 'unmatched', 'GET', 404)).toEqual([missing.bytes])
    })

    it('path naming with timerType h: request_bytes.<route>.<METHOD>.<status> and response_bytes… as histograms', async () => {
      subject = await measured(factory, { routes }, 'path', { bodySizes: true, timerType: 'h' })
      const answer = await send(subject.app.port, 'POST', '/echo/path', {
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      })
      await subject.settle()
      const segments = subject.read.label('/echo/:kind')
      const lines = subject.receiver.lines()
      expect(lines).toContain(`request_bytes.${segments}.POST.200:7|h`)
      expect(lines).toContain(`response_bytes.${segments}.POST.200:${answer.bytes}|h`)
    })

    it('off by default: no size metrics', async () => {
      subject = await measured(factory, { routes }, 'tags')
      await send(subject.app.port, 'POST', '/echo/json', {
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      await subject.settle()
      expect(subject.receiver.lines().filter((line) => line.includes('_bytes'))).toEqual([])
    })
  })
}
