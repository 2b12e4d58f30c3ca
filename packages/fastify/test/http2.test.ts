import http2 from 'node:http2'
import { Readable } from 'node:stream'
import type { FastifyServerOptions } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import {
  deferred,
  eventually,
  listen,
  type MeasuredApp,
  measuredApp,
  requestSeries,
  settle,
} from './support'

/**
 * `measuredApp` types its Fastify options for HTTP/1 (the instance type differs for HTTP/2,
 * which nothing here reads); at run time Fastify gets exactly `{ http2: true }`.
 */
const HTTP2 = { http2: true } as unknown as FastifyServerOptions

/**
 * Fastify with `http2: true`. Node's compatibility layer emits `finish` (then `close`) on the
 * response when a stream closes for any reason, a client's RST_STREAM included; only a stream
 * that closed normally delivered its response. The client is node:http2 on loopback.
 */
describe('HTTP/2: a stream the client cancels is 499, not the handler status', () => {
  let subject: MeasuredApp
  let client: http2.ClientHttp2Session | undefined
  afterEach(async () => {
    client?.destroy()
    client = undefined
    await subject.close()
  })

  async function connect(): Promise<http2.ClientHttp2Session> {
    const session = http2.connect(`http://127.0.0.1:${await listen(subject.app)}`)
    session.on('error', () => {})
    client = session
    return session
  }

  /** Requests `path` and resolves with the `:status` received. */
  function fetchStatus(session: http2.ClientHttp2Session, path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path })
      let status: unknown
      stream.on('response', (headers) => {
        status = headers[':status']
      })
      stream.on('error', reject)
      stream.resume()
      stream.on('end', () => resolve(status))
    })
  }

  it('cancelled while the handler works: 499 once, the later 200 not counted', async () => {
    const entered = deferred()
    const release = deferred()
    const answered = deferred()
    subject = await measuredApp(
      (app) => {
        app.get('/reports/:id', async () => {
          entered.resolve()
          await release.promise
          answered.resolve()
          return { late: true }
        })
      },
      {},
      HTTP2,
    )
    const { app, receiver } = subject
    const session = await connect()
    const stream = session.request({ ':path': '/reports/7' })
    stream.on('error', () => {})
    await entered.promise
    stream.close(http2.constants.NGHTTP2_CANCEL)
    await eventually(() => app.metrics.stats().activeRequests === 0, 'the cancel is recorded')
    release.resolve()
    await answered.promise
    expect(await fetchStatus(session, '/reports/8')).toBe(200)
    await settle(app, receiver)

    expect(requestSeries(receiver)).toEqual({
      'GET /reports/:id 499': 1,
      'GET /reports/:id 200': 1,
    })
  })

  it('a streamed reply cancelled after its first chunk: 499, though the head said 200', async () => {
    subject = await measuredApp(
      (app) => {
        app.get('/feed/:topic', async (_request, reply) => {
          const chunks = new Readable({ read() {} })
          chunks.push('first chunk\n') // and nothing more until the client gives up
          return reply.type('text/plain').send(chunks)
        })
      },
      {},
      HTTP2,
    )
    const { app, receiver } = subject
    const session = await connect()
    const stream = session.request({ ':path': '/feed/news' })
    stream.on('error', () => {})
    const firstChunk = deferred()
    let status: unknown
    stream.on('response', (headers) => {
      status = headers[':status']
    })
    stream.once('data', () => firstChunk.resolve())
    await firstChunk.promise
    stream.close(http2.constants.NGHTTP2_CANCEL)
    await eventually(() => app.metrics.stats().activeRequests === 0, 'the cancel is recorded')
    await settle(app, receiver)

    expect(status).toBe(200)
    expect(requestSeries(receiver)).toEqual({ 'GET /feed/:topic 499': 1 })
  })

  it('the session torn down with a stream open: 499', async () => {
    const entered = deferred()
    subject = await measuredApp(
      (app) => {
        app.get('/wait', async () => {
          entered.resolve()
          await new Promise((resolve) => setTimeout(resolve, 50))
          return 'late'
        })
      },
      {},
      HTTP2,
    )
    const { app, receiver } = subject
    const session = await connect()
    session.request({ ':path': '/wait' }).on('error', () => {})
    await entered.promise
    session.destroy()
    await eventually(() => app.metrics.stats().activeRequests === 0, 'the stream is recorded')
    await settle(app, receiver)

    expect(requestSeries(receiver)).toEqual({ 'GET /wait 499': 1 })
  })

  it('completed streams keep the status sent, even when reply.code() changes it afterwards', async () => {
    subject = await measuredApp(
      (app) => {
        app.get('/ok/:id', async () => 'ok')
        app.get('/audit/:id', async (_request, reply) => {
          reply.send('saved')
          reply.code(500) // too late: the head went out with 200
          return reply
        })
      },
      {},
      HTTP2,
    )
    const { app, receiver } = subject
    const session = await connect()
    expect(await fetchStatus(session, '/ok/1')).toBe(200)
    expect(await fetchStatus(session, '/audit/1')).toBe(200)
    expect(await fetchStatus(session, '/nowhere')).toBe(404)
    await settle(app, receiver)

    expect(requestSeries(receiver)).toEqual({
      'GET /ok/:id 200': 1,
      'GET /audit/:id 200': 1,
      'GET unmatched 404': 1,
    })
  })
})

describe('HTTP/2: body sizes (bodySizes) are the DATA bytes of the stream', () => {
  let subject: MeasuredApp | undefined
  let session: http2.ClientHttp2Session | undefined
  afterEach(async () => {
    session?.destroy()
    await subject?.close()
  })

  it('a JSON upload Fastify parses and a reply written by Fastify: bytes each way, the parser got the body', async () => {
    subject = await measuredApp(
      (app) => {
        app.post('/echo', async (request) => ({ received: request.body }))
      },
      { bodySizes: true },
      HTTP2,
    )
    const { app, receiver } = subject
    session = http2.connect(`http://127.0.0.1:${await listen(app)}`)
    session.on('error', () => {})
    const payload = JSON.stringify({ name: 'ø'.repeat(3000) })
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const stream = session?.request({
        ':path': '/echo',
        ':method': 'POST',
        'content-type': 'application/json',
      })
      if (stream === undefined) return reject(new Error('no session'))
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => resolve(Buffer.concat(chunks)))
      stream.on('error', reject)
      stream.write(payload.slice(0, 1000))
      stream.end(payload.slice(1000))
    })
    expect(JSON.parse(reply.toString())).toEqual({ received: JSON.parse(payload) })
    await settle(app, receiver)

    const tags = { route: '/echo', method: 'POST', status_code: '200' }
    expect(receiver.timings('http.server.request_bytes', tags)).toEqual([
      Buffer.byteLength(payload),
    ])
    expect(receiver.timings('http.server.response_bytes', tags)).toEqual([reply.length])
  })
})
