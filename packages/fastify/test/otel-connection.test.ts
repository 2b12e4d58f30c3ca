import { readFileSync } from 'node:fs'
import http2 from 'node:http2'
import https from 'node:https'
import { requestClaimingSchemes } from '@routemeter/test-support'
import type { FastifyServerOptions } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { deferred, eventually, listen, type MeasuredApp, measuredApp, settle } from './support'

/**
 * `url.scheme` and `network.protocol.version` under otel naming come from the connection Node
 * accepted, not from headers: real HTTPS and HTTP/2 servers on loopback, real clients. The key
 * and certificate (self-signed, for 127.0.0.1, 100 years) are test fixtures, never used elsewhere.
 */
const TLS = {
  key: readFileSync(new URL('./fixtures/loopback-key.pem', import.meta.url)),
  cert: readFileSync(new URL('./fixtures/loopback-cert.pem', import.meta.url)),
}

/** Fastify's types differ per server kind; at run time Fastify gets exactly these options. */
const SERVERS = {
  'HTTPS/1.1': { https: TLS },
  'HTTP/2 cleartext (h2c)': { http2: true },
  'HTTP/2 over TLS': { http2: true, https: TLS },
} as unknown as Record<string, FastifyServerOptions>

const DURATION = 'http.server.request.duration'

describe('otel naming: scheme and HTTP version of real HTTPS and HTTP/2 connections', () => {
  let subject: MeasuredApp | undefined
  let session: http2.ClientHttp2Session | undefined
  afterEach(async () => {
    session?.destroy()
    session = undefined
    await subject?.close()
    subject = undefined
  })

  async function start(server: string, release?: Promise<void>): Promise<number> {
    subject = await measuredApp(
      (app) => {
        app.get('/users/:id', async () => {
          await release
          return { ok: true }
        })
      },
      { naming: 'otel' },
      SERVERS[server],
    )
    return listen(subject.app)
  }

  /** GET over HTTPS/1.1 with the fixture as the trusted CA; resolves with the status. */
  function httpsGet(port: number, path: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const request = https.get(
        { host: '127.0.0.1', port, path, ca: TLS.cert, agent: false },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode))
        },
      )
      request.on('error', reject)
    })
  }

  /** GET over HTTP/2 on one session; resolves with `:status`. */
  function h2Get(origin: string, path: string): Promise<unknown> {
    if (session === undefined) {
      session = http2.connect(origin, { ca: TLS.cert })
      session.on('error', () => {})
    }
    const stream = session.request({ ':path': path })
    return new Promise((resolve, reject) => {
      let status: unknown
      stream.on('response', (headers) => {
        status = headers[':status']
      })
      stream.on('error', reject)
      stream.resume()
      stream.on('end', () => resolve(status))
    })
  }

  it.each([
    ['HTTPS/1.1', 'https', '1.1'],
    ['HTTP/2 cleartext (h2c)', 'http', '2'],
    ['HTTP/2 over TLS', 'https', '2'],
  ] as const)('%s: url.scheme %s, network.protocol.version %s', async (server, scheme, version) => {
    const port = await start(server)
    for (let i = 0; i < 3; i++) {
      const status =
        server === 'HTTPS/1.1'
          ? await httpsGet(port, `/users/${i}`)
          : await h2Get(`${scheme}://127.0.0.1:${port}`, `/users/${i}`)
      expect(status).toBe(200)
    }
    const { app, receiver } = subject as MeasuredApp
    await settle(app, receiver)
    expect(receiver.find(DURATION).map((sample) => sample.tags)).toEqual(
      Array.from({ length: 3 }, () => ({
        'http.request.method': 'GET',
        'http.response.status_code': '200',
        'http.route': '/users/:id',
        'url.scheme': scheme,
        'network.protocol.version': version,
      })),
    )
    expect(
      receiver.gauge('http.server.active_requests', {
        'http.request.method': 'GET',
        'url.scheme': scheme,
      }),
    ).toBe(0)
  })

  it('HTTP/2 over TLS, a stream the client cancels: error.type aborted, version 2, no status code', async () => {
    const release = deferred()
    const port = await start('HTTP/2 over TLS', release.promise)
    const { app, receiver } = subject as MeasuredApp
    session = http2.connect(`https://127.0.0.1:${port}`, { ca: TLS.cert })
    session.on('error', () => {})
    const stream = session.request({ ':path': '/users/7' })
    stream.on('error', () => {})
    await eventually(() => app.metrics.stats().activeRequests === 1, 'the request is in flight')
    await app.metrics.flush()
    await receiver.waitFor(
      (r) =>
        r.gauge('http.server.active_requests', {
          'http.request.method': 'GET',
          'url.scheme': 'https',
        }) === 1,
    )
    stream.close(http2.constants.NGHTTP2_CANCEL)
    await eventually(() => app.metrics.stats().activeRequests === 0, 'the cancel is recorded')
    release.resolve()
    await settle(app, receiver)
    expect(receiver.find(DURATION).map((sample) => sample.tags)).toEqual([
      {
        'http.request.method': 'GET',
        'http.route': '/users/:id',
        'url.scheme': 'https',
        'network.protocol.version': '2',
        'error.type': 'aborted',
      },
    ])
  })

  it("h2c: the client's :scheme (https, or any word) is not the scheme — 200 values are one http series", async () => {
    const port = await start('HTTP/2 cleartext (h2c)')
    session = http2.connect(`http://127.0.0.1:${port}`)
    session.on('error', () => {})
    await requestClaimingSchemes(session, '/users/1')
    const { app, receiver } = subject as MeasuredApp
    await settle(app, receiver)
    const schemes = new Set(receiver.find(DURATION).map((sample) => sample.tags['url.scheme']))
    expect(receiver.find(DURATION)).toHaveLength(200)
    expect([...schemes]).toEqual(['http'])
    expect(
      receiver.gauge('http.server.active_requests', {
        'http.request.method': 'GET',
        'url.scheme': 'http',
      }),
    ).toBe(0)
  })
})
