import { once } from 'node:events'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { runInNewContext } from 'node:vm'
import { openRawConnection } from '@routemeter/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/config/options'
import { createMeter, type Meter, type MeterOptions, RoutemeterOptionError } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver, waitUntil } from '../src/testing'

/**
 * `bodySizes` on plain Node servers, the way every adapter drives core: `requestStarted(res)`
 * when the request arrives, `requestEnded(…, res, request)` when the response finished. The
 * handler reads the request body itself afterwards, as a body parser would, and must get it whole.
 */
type Handler = (
  req: IncomingMessage | http2.Http2ServerRequest,
  body: Buffer,
) => Array<string | Uint8Array> | null

interface Subject {
  readonly meter: Meter
  readonly receiver: StatsdReceiver
  readonly port: number
  /** Bodies the handler read, in order. */
  readonly bodies: Buffer[]
  close(): Promise<void>
}

let subject: Subject | undefined
afterEach(async () => {
  await subject?.close()
  subject = undefined
})

async function serve(
  kind: 'http1' | 'http2',
  handler: Handler,
  options: MeterOptions = {},
): Promise<Subject> {
  const receiver = await startStatsdReceiver()
  const meter = createMeter({
    port: receiver.port,
    prefix: null,
    flushIntervalMs: 3_600_000,
    bodySizes: true,
    ...options,
  })
  const bodies: Buffer[] = []
  const route = meter.route('/upload')
  const listener = async (
    req: IncomingMessage | http2.Http2ServerRequest,
    res: ServerResponse | http2.Http2ServerResponse,
  ) => {
    const startedAt = meter.requestStarted(res)
    res.on('close', () => {
      const status = res.writableFinished || res.statusCode !== 200 ? res.statusCode : 499
      meter.requestEnded(route, req.method ?? '', status, startedAt, res, req)
    })
    // Read after a turn, as a body parser that runs later in the chain would.
    await new Promise((resolve) => setImmediate(resolve))
    const chunks: Buffer[] = []
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer)
    } catch {
      return // the client left mid-upload
    }
    const body = Buffer.concat(chunks)
    bodies.push(body)
    const reply = handler(req, body)
    if (reply === null) return
    // Both response types take `write(string)` / `end(string)`; their unions of overloads do not.
    const out = res as ServerResponse
    for (const part of reply.slice(0, -1)) out.write(part)
    out.end(reply.at(-1) ?? '')
  }
  const server =
    kind === 'http1' ? http.createServer(listener) : http2.createServer(listener as never)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    meter,
    receiver,
    bodies,
    port: (server.address() as AddressInfo).port,
    async close() {
      ;(server as http.Server).closeAllConnections?.()
      await new Promise((resolve) => server.close(resolve))
      await meter.close()
      await receiver.close()
    },
  }
}

async function sizes(s: Subject): Promise<{ request: number[]; response: number[] }> {
  await waitUntil(() => s.meter.stats().activeRequests === 0, 'every request ended')
  await s.meter.flush()
  await s.receiver.waitFor((r) => r.lines().length > 0)
  return {
    request: s.receiver.timings('http.server.request_bytes'),
    response: s.receiver.timings('http.server.response_bytes'),
  }
}

function post(port: number, path: string, write: (req: http.ClientRequest) => void) {
  return new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolve(text))
    })
    req.on('error', reject)
    write(req)
  })
}

describe('bodySizes: bytes actually received and sent, HTTP/1.1', () => {
  it('a Content-Length body and a one-piece reply: exact byte counts, multi-byte characters included', async () => {
    subject = await serve('http1', (_req, body) => [`got ${body.length} bytes ✓`])
    const payload = JSON.stringify({ name: 'é'.repeat(500) })
    const answer = await post(subject.port, '/upload', (req) => {
      req.setHeader('content-type', 'application/json')
      req.end(payload)
    })
    expect(answer).toBe(`got ${Buffer.byteLength(payload)} bytes ✓`)
    expect(subject.bodies[0]?.toString()).toBe(payload)
    expect(await sizes(subject)).toEqual({
      request: [Buffer.byteLength(payload)],
      response: [Buffer.byteLength(answer)],
    })
  })

  it('a chunked upload and a streamed reply count their payload, not the chunk framing or headers', async () => {
    subject = await serve('http1', () => ['part one,', 'part two,', 'the end'])
    const answer = await post(subject.port, '/upload', (req) => {
      req.setHeader('transfer-encoding', 'chunked')
      req.write('a'.repeat(1000))
      setTimeout(() => {
        req.write('b'.repeat(70_000))
        req.end('c')
      }, 20)
    })
    expect(answer).toBe('part one,part two,the end')
    expect(subject.bodies[0]?.length).toBe(71_001)
    expect(await sizes(subject)).toEqual({ request: [71_001], response: [answer.length] })
  })

  it("bytes from another realm count too (Jest's jsdom sandbox: Node's Buffers are not its Uint8Arrays)", async () => {
    // The mirror image of a sandbox: core runs here, the chunk's Uint8Array is another realm's.
    const foreign = runInNewContext('new Uint8Array(100).fill(121)') as Uint8Array
    expect(foreign instanceof Uint8Array).toBe(false)
    subject = await serve('http1', () => [foreign, 'tail'])
    const answer = await post(subject.port, '/upload', (req) => req.end('ping'))
    expect(answer).toBe(`${'y'.repeat(100)}tail`)
    expect(await sizes(subject)).toEqual({ request: [4], response: [104] })
  })

  it('HEAD, and a body-less request: 0 bytes (Node drops a HEAD reply body)', async () => {
    subject = await serve('http1', () => ['not sent for HEAD'])
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .request(
          { host: '127.0.0.1', port: subject?.port, path: '/upload', method: 'HEAD' },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode))
          },
        )
        .on('error', reject)
        .end()
    })
    expect(status).toBe(200)
    expect(await sizes(subject)).toEqual({ request: [0], response: [0] })
  })

  it('an aborted request records no sizes; the request is still counted (499)', async () => {
    subject = await serve('http1', () => null)
    const connection = await openRawConnection(subject.port)
    connection.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345')
    await waitUntil(() => subject?.meter.stats().activeRequests === 1, 'request started')
    connection.abort()
    await waitUntil(() => subject?.meter.stats().activeRequests === 0, 'abort recorded')
    await subject.meter.flush()
    await subject.receiver.waitFor((r) => r.counter('http.server.requests') > 0)
    expect(subject.receiver.counter('http.server.requests', { status_code: '499' })).toBe(1)
    expect(subject.receiver.find('http.server.request_bytes')).toHaveLength(0)
    expect(subject.receiver.find('http.server.response_bytes')).toHaveLength(0)
  })
})

describe('bodySizes: HTTP/2 (compatibility API)', () => {
  it('request and response body bytes of a stream, the reply written in pieces', async () => {
    subject = await serve('http2', (_req, body) => ['x'.repeat(100), `:${body.length}`])
    const session = http2.connect(`http://127.0.0.1:${subject.port}`)
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/upload', ':method': 'POST' })
        let text = ''
        stream.setEncoding('utf8')
        stream.on('data', (chunk: string) => {
          text += chunk
        })
        stream.on('end', () => resolve(text))
        stream.on('error', reject)
        stream.write('y'.repeat(5000))
        stream.end('z'.repeat(5))
      })
      expect(answer).toBe(`${'x'.repeat(100)}:5005`)
      expect(await sizes(subject)).toEqual({ request: [5005], response: [105] })
    } finally {
      session.destroy()
    }
  })
})

describe('bodySizes: HTTP/2 HEAD', () => {
  it('a HEAD reply counts 0 bytes, though the handler wrote a body (Node sends none)', async () => {
    subject = await serve('http2', () => ['x'.repeat(100), 'not sent for HEAD'])
    const session = http2.connect(`http://127.0.0.1:${subject.port}`)
    try {
      const received = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/upload', ':method': 'HEAD' })
        let bytes = 0
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length
        })
        stream.on('end', () => resolve(bytes))
        stream.on('error', reject)
        stream.end()
      })
      expect(received).toBe(0)
      expect(await sizes(subject)).toEqual({ request: [0], response: [0] })
    } finally {
      session.destroy()
    }
  })
})

describe('bodySizes: names in each style, sent as the timer type', () => {
  it('path style: request_bytes.<route>.<METHOD>.<status> and response_bytes…, as timers', async () => {
    subject = await serve('http1', () => ['four'], { naming: 'path' })
    await post(subject.port, '/upload', (req) => req.end('12345678'))
    await waitUntil(() => subject?.meter.stats().activeRequests === 0, 'ended')
    await subject.meter.flush()
    await subject.receiver.waitFor((r) => r.lines().length >= 4)
    const lines = subject.receiver.lines()
    expect(lines).toContain('request_bytes.upload.POST.200:8|ms')
    expect(lines).toContain('response_bytes.upload.POST.200:4|ms')
  })

  it('tag style with timerType d: distributions with the request tags', async () => {
    subject = await serve('http1', () => ['four'], { timerType: 'd' })
    await post(subject.port, '/upload', (req) => req.end('12345678'))
    await waitUntil(() => subject?.meter.stats().activeRequests === 0, 'ended')
    await subject.meter.flush()
    await subject.receiver.waitFor((r) => r.lines().length >= 4)
    const lines = subject.receiver.lines()
    const tags = '|#route:/upload,method:POST,status_code:200,status_class:2xx'
    expect(lines).toContain(`http.server.request_bytes:8|d${tags}`)
    expect(lines).toContain(`http.server.response_bytes:4|d${tags}`)
  })

  it('custom naming without body-size functions falls back to the tag style names', async () => {
    subject = await serve('http1', () => ['four'], {
      naming: {
        requestCounter: () => ({ name: 'reqs' }),
        requestTimer: () => ({ name: 'lat' }),
        responseBodySize: (s) => ({ name: `out.${s.method}` }),
      },
    })
    await post(subject.port, '/upload', (req) => req.end('12345678'))
    expect(await sizes(subject)).toEqual({ request: [8], response: [] })
    expect(subject.receiver.timings('out.POST')).toEqual([4])
  })
})

describe('bodySizes: option', () => {
  it('defaults to false, reads STATSD_BODY_SIZES, rejects a non-boolean', () => {
    expect(resolveOptions({}, {}).bodySizes).toBe(false)
    expect(resolveOptions({}, { STATSD_BODY_SIZES: 'true' }).bodySizes).toBe(true)
    expect(() => resolveOptions({ bodySizes: 'yes' as unknown as boolean }, {})).toThrow(
      RoutemeterOptionError,
    )
  })
})
