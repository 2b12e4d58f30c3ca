import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeter, RoutemeterOptionError } from '../src/index'
import { createCaptureMeter } from '../src/testing'

const sockets: net.Socket[] = []
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy()
})

/**
 * Node's own response and request objects, as a server would hand them to an adapter, on a
 * socket that never connects: plain TCP (`http`) or TLS (`https`).
 */
function nodeResponse(
  method: string,
  {
    scheme = 'http',
    httpVersion = '1.1',
  }: { scheme?: 'http' | 'https'; httpVersion?: string } = {},
): http.ServerResponse {
  const plain = new net.Socket()
  const socket = scheme === 'https' ? new tls.TLSSocket(plain, { isServer: true }) : plain
  sockets.push(socket, plain)
  const req = new http.IncomingMessage(socket)
  req.method = method
  req.httpVersion = httpVersion
  return new http.ServerResponse(req)
}

async function flushed(capture: ReturnType<typeof createCaptureMeter>): Promise<string[]> {
  await capture.meter.flush()
  return capture.lines()
}

describe('otel naming, byte for byte', () => {
  it('DogStatsD: http.server.request.duration with the stable attributes, dots kept, no counter', async () => {
    const capture = createCaptureMeter({ naming: 'otel', globalTags: { service: 'shop' } })
    const users = capture.meter.route('/users/:id')
    users.record('GET', 200, 12.5, nodeResponse('GET'))
    users.record('GET', 200, 7, nodeResponse('GET'))
    users.record('POST', 503, 1, nodeResponse('POST', { scheme: 'https', httpVersion: '2.0' }))
    capture.meter.unmatched.record('GET', 404, 2, nodeResponse('GET'))
    users.record('GET', 499, 30, nodeResponse('GET'))
    expect(await flushed(capture)).toEqual([
      'http.server.request.duration:12.5|ms|#service:shop,http.request.method:GET,http.response.status_code:200,http.route:/users/:id,url.scheme:http,network.protocol.version:1.1',
      'http.server.request.duration:7|ms|#service:shop,http.request.method:GET,http.response.status_code:200,http.route:/users/:id,url.scheme:http,network.protocol.version:1.1',
      'http.server.request.duration:1|ms|#service:shop,http.request.method:POST,http.response.status_code:503,http.route:/users/:id,url.scheme:https,network.protocol.version:2,error.type:503',
      'http.server.request.duration:2|ms|#service:shop,http.request.method:GET,http.response.status_code:404,url.scheme:http,network.protocol.version:1.1',
      'http.server.request.duration:30|ms|#service:shop,http.request.method:GET,http.route:/users/:id,url.scheme:http,network.protocol.version:1.1,error.type:aborted',
    ])
    // Requests on different connections of the same kind share one series.
    expect(capture.meter.stats().series).toBe(4)
  })

  it('Telegraf: the same attributes in the name part, ":" kept out of values', async () => {
    const capture = createCaptureMeter({ naming: 'otel', tagFormat: 'telegraf', prefix: 'api' })
    capture.meter.route('/users/:id').record('GET', 200, 12.5, nodeResponse('GET'))
    capture.meter
      .route('/users/:id')
      .record('DELETE', 500, 3, nodeResponse('DELETE', { scheme: 'https' }))
    expect(await flushed(capture)).toEqual([
      'api.http.server.request.duration,http.request.method=GET,http.response.status_code=200,http.route=/users/_id,url.scheme=http,network.protocol.version=1.1:12.5|ms',
      'api.http.server.request.duration,http.request.method=DELETE,http.response.status_code=500,http.route=/users/_id,url.scheme=https,network.protocol.version=1.1,error.type=500:3|ms',
    ])
  })

  it("url.scheme comes from the connection, not from the request's own scheme (HTTP/2's :scheme); a stream's session decides, also after it is gone", async () => {
    const capture = createCaptureMeter({ naming: 'otel' })
    const route = capture.meter.route('/s')
    // An HTTP/2 request on cleartext h2c says whatever its client wrote in :scheme.
    const claimed = nodeResponse('GET')
    Object.assign(claimed.req, { scheme: 'https' })
    const claimedStarted = capture.meter.requestStarted(claimed)
    capture.meter.requestEnded(route, 'GET', 200, claimedStarted, claimed)
    // An HTTP/2 request over TLS: its stream's session is encrypted when it starts, and gone
    // (a cancelled stream) when it ends.
    const h2 = nodeResponse('GET', { httpVersion: '2.0' })
    const session: { encrypted?: boolean } = { encrypted: true }
    Object.assign(h2.req, { scheme: 'x-evil', stream: { session } })
    const h2Started = capture.meter.requestStarted(h2)
    session.encrypted = undefined
    capture.meter.requestEnded(route, 'GET', 200, h2Started, h2)
    await capture.meter.flush()
    expect(capture.find('http.server.request.duration').map((s) => s.tags['url.scheme'])).toEqual([
      'http',
      'https',
    ])
  })

  it('without a Node response (recordRequest, Hono off Node) scheme and version are absent, not guessed', async () => {
    const capture = createCaptureMeter({ naming: 'otel' })
    capture.meter.recordRequest({ route: '/a', method: 'GET', statusCode: 201, durationMs: 4 })
    expect(await flushed(capture)).toEqual([
      'http.server.request.duration:4|ms|#http.request.method:GET,http.response.status_code:201,http.route:/a',
    ])
  })

  it('error.type: none for 1xx–4xx, the code for 5xx, "aborted" for 499 and "_OTHER" for no status (neither sends a status code)', async () => {
    const capture = createCaptureMeter({ naming: 'otel' })
    const route = capture.meter.route('/r')
    for (const status of [101, 302, 404, 408, 500, 504, 499, 0]) route.record('GET', status, 1)
    await capture.meter.flush()
    const byStatus = capture
      .find('http.server.request.duration')
      .map((s) => [s.tags['http.response.status_code'], s.tags['error.type']])
    expect(byStatus).toEqual([
      ['101', undefined],
      ['302', undefined],
      ['404', undefined],
      ['408', undefined],
      ['500', '500'],
      ['504', '504'],
      [undefined, 'aborted'],
      [undefined, '_OTHER'],
    ])
  })

  it('the overflow bucket carries otel.metric.overflow=true instead of an invented http.route', async () => {
    const capture = createCaptureMeter({ naming: 'otel', maxSeries: 1, logger: { warn() {} } })
    capture.meter.route('/first').record('GET', 200, 1)
    capture.meter.route('/second').record('GET', 200, 1)
    expect(await flushed(capture)).toEqual([
      'http.server.request.duration:1|ms|#http.request.method:GET,http.response.status_code:200,http.route:/first',
      'http.server.request.duration:1|ms|#http.request.method:GET,http.response.status_code:200,otel.metric.overflow:true',
    ])
    expect(capture.meter.stats().overflowed).toBe(1)
  })

  it('execution timers: the name as given, with http.request.method and http.route (absent when unmatched)', async () => {
    const capture = createCaptureMeter({ naming: 'otel' })
    capture.meter.route('/users/:id').scope('GET').timer('db.query')()
    capture.meter.unmatched.scope('POST').timer('db.query')()
    await capture.meter.flush()
    expect(capture.find('db.query').map((s) => s.tags)).toEqual([
      { 'http.request.method': 'GET', 'http.route': '/users/:id' },
      { 'http.request.method': 'POST' },
    ])
  })
})

describe('otel naming: execution timers past maxSeries', () => {
  it('a route past the cap times into the overflow bucket: otel.metric.overflow=true, no http.route', async () => {
    const capture = createCaptureMeter({ naming: 'otel', maxSeries: 3, logger: { warn() {} } })
    for (const template of ['/a', '/b', '/c']) capture.meter.route(template)
    capture.meter.route('/a').scope('GET').timer('db.query')()
    capture.meter.route('/d').scope('GET').timer('db.query')()
    await capture.meter.flush()
    expect(capture.find('db.query').map((s) => s.tags)).toEqual([
      { 'http.request.method': 'GET', 'http.route': '/a' },
      { 'http.request.method': 'GET', 'otel.metric.overflow': 'true' },
    ])
  })
})

describe('otel naming: the request count is the duration count', () => {
  it('no http.server.requests counter; one duration sample per request, even for a bad duration', async () => {
    const capture = createCaptureMeter({ naming: 'otel', logger: { warn() {} } })
    const route = capture.meter.route('/r')
    route.record('GET', 200, 5)
    route.record('GET', 200, Number.NaN)
    route.record('GET', 200, -1)
    await capture.meter.flush()
    expect(capture.find('http.server.requests')).toEqual([])
    expect(capture.timings('http.server.request.duration')).toEqual([5, 0, 0])
    expect(capture.meter.stats().faults['invalid-value']).toBe(1)
  })

  it('sampleRate below 1 is refused at startup: the count would only be an estimate', () => {
    expect(() => createMeter({ naming: 'otel', sampleRate: 0.5, enabled: false })).toThrow(
      'routemeter: invalid option "sampleRate": received 0.5; expected 1 with naming "otel"',
    )
  })
})

describe('otel naming: methods', () => {
  const KNOWN = 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS'
  afterEach(() => {
    delete process.env[KNOWN]
  })

  async function methodsRecorded(methods: readonly string[]): Promise<Record<string, number>> {
    const capture = createCaptureMeter({ naming: 'otel' })
    for (const method of methods) capture.meter.route('/').record(method, 200, 1)
    await capture.meter.flush()
    const counts: Record<string, number> = {}
    for (const sample of capture.find('http.server.request.duration')) {
      const method = sample.tags['http.request.method'] ?? ''
      counts[method] = (counts[method] ?? 0) + 1
    }
    return counts
  }

  it('the nine standard methods by name; others, and other spellings, as _OTHER (case-sensitive)', async () => {
    expect(await methodsRecorded(['GET', 'PATCH', 'get', 'PROPFIND', 'Get'])).toEqual({
      GET: 1,
      PATCH: 1,
      _OTHER: 3,
    })
  })

  it('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS replaces the list', async () => {
    process.env[KNOWN] = 'GET, PURGE ,,QUERY'
    expect(await methodsRecorded(['GET', 'PURGE', 'QUERY', 'POST', 'purge'])).toEqual({
      GET: 1,
      PURGE: 1,
      QUERY: 1,
      _OTHER: 2,
    })
  })

  it('a list longer than the default 4-bit key keeps every method × status series apart', async () => {
    const methods = Array.from({ length: 40 }, (_, i) => `M${i}`)
    process.env[KNOWN] = methods.join(',')
    const capture = createCaptureMeter({ naming: 'otel' })
    const route = capture.meter.route('/')
    for (const method of [...methods, 'OTHER'])
      for (const status of [200, 999]) route.record(method, status, 1)
    await capture.meter.flush()
    const series = new Set(
      capture
        .find('http.server.request.duration')
        .map((s) => `${s.tags['http.request.method']} ${s.tags['http.response.status_code']}`),
    )
    expect(series.size).toBe(82)
    expect(series).toContain('M39 999')
    expect(series).toContain('_OTHER 200')
  })

  it('exactly 16, 32, 64 or 128 known methods (and one either side): no two method × status pairs share a series', async () => {
    for (const length of [15, 16, 17, 32, 64, 128, 255]) {
      const methods = Array.from({ length }, (_, i) => `M${i}`)
      process.env[KNOWN] = methods.join(',')
      const capture = createCaptureMeter({ naming: 'otel' })
      const route = capture.meter.route('/')
      // `_OTHER` takes the index after the last method: at 200 it must not meet the first
      // method at 201, the next status up.
      for (const status of [200, 201])
        for (const method of ['OTHER', ...methods]) route.record(method, status, 1)
      await capture.meter.flush()
      const perSeries = new Map<string, number>()
      for (const sample of capture.find('http.server.request.duration')) {
        const key = `${sample.tags['http.request.method']} ${sample.tags['http.response.status_code']}`
        perSeries.set(key, (perSeries.get(key) ?? 0) + sample.values.length)
      }
      expect(perSeries.size, `${length} methods`).toBe(2 * (length + 1))
      expect(
        [...perSeries.values()].every((count) => count === 1),
        `${length} methods`,
      ).toBe(true)
      expect(perSeries.get('M0 201')).toBe(1)
      expect(perSeries.get('_OTHER 200')).toBe(1)
    }
  })

  it('a bad list fails at startup naming the variable, the value and what is allowed', () => {
    process.env[KNOWN] = 'GET,BAD METHOD'
    expect(() => createMeter({ naming: 'otel', enabled: false })).toThrow(RoutemeterOptionError)
    expect(() => createMeter({ naming: 'otel', enabled: false })).toThrow(
      'routemeter: invalid option "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS": received "GET,BAD METHOD" (from the environment); expected a comma-separated list of HTTP methods, such as "GET,POST,PURGE" ("BAD METHOD" is not an HTTP method token)',
    )
    process.env[KNOWN] = Array.from({ length: 256 }, (_, i) => `M${i}`).join(',')
    expect(() => createMeter({ naming: 'otel', enabled: false })).toThrow(
      'more than 255 methods are listed',
    )
  })

  it('the variable is read only for otel naming: tag style keeps its own rule', async () => {
    process.env[KNOWN] = 'not a list'
    const capture = createCaptureMeter({})
    capture.meter.route('/').record('get', 200, 1)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests', { method: 'GET' })).toBe(1)
  })
})

describe('otel naming: http.server.active_requests per method and scheme', () => {
  it('one gauge per http.request.method × url.scheme, counted up at start and down at the end', async () => {
    const capture = createCaptureMeter({ naming: 'otel' })
    const { meter } = capture
    const get = nodeResponse('GET')
    const getTls = nodeResponse('GET', { scheme: 'https' })
    const purge = nodeResponse('PURGE')
    const started = [get, getTls, purge].map((res) => meter.requestStarted(res))
    const offNode = meter.requestStarted(undefined)
    await meter.flush()
    expect(capture.lines()).toEqual([
      'http.server.active_requests:1|g|#http.request.method:GET,url.scheme:http',
      'http.server.active_requests:1|g|#http.request.method:GET,url.scheme:https',
      'http.server.active_requests:1|g|#http.request.method:_OTHER,url.scheme:http',
      'http.server.active_requests:1|g',
    ])
    // An app rewriting req.method meanwhile (method-override) must not move the count.
    ;(get.req as http.IncomingMessage).method = 'DELETE'
    meter.requestEnded(meter.route('/'), 'DELETE', 200, started[0] as number, get)
    meter.requestEnded(meter.route('/'), 'GET', 200, started[1] as number, getTls)
    meter.requestEnded(undefined, 'PURGE', 200, started[2] as number, purge)
    meter.requestEnded(undefined, 'GET', 200, offNode, undefined)
    capture.clear()
    await meter.flush()
    expect(capture.find('http.server.active_requests').map((s) => s.line)).toEqual([
      'http.server.active_requests:0|g|#http.request.method:GET,url.scheme:http',
      'http.server.active_requests:0|g|#http.request.method:GET,url.scheme:https',
      'http.server.active_requests:0|g|#http.request.method:_OTHER,url.scheme:http',
      'http.server.active_requests:0|g',
    ])
    expect(meter.stats().activeRequests).toBe(0)
  })
})

describe('otel naming: process gauges and reserved names', () => {
  it('process metrics use the OpenTelemetry runtime names, event-loop delays in seconds', async () => {
    const capture = createCaptureMeter({ naming: 'otel', processMetrics: true })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await capture.meter.flush()
    await capture.meter.close()
    const names = new Set(capture.samples().map((s) => s.name))
    for (const name of [
      'nodejs.eventloop.delay.p50',
      'nodejs.eventloop.delay.p99',
      'nodejs.eventloop.delay.max',
      'nodejs.eventloop.utilization',
      'v8js.memory.heap.used',
      'process.memory.usage',
    ])
      expect(names).toContain(name)
    // A delay in seconds: a busy test machine stalls for milliseconds, not for many seconds.
    expect(capture.gauge('nodejs.eventloop.delay.max')).toBeLessThan(5)
    expect(capture.gauge('process.memory.usage')).toBeGreaterThan(1_000_000)
  })

  it("user metrics named like otel's own are refused", async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({
      naming: 'otel',
      logger: { warn: (m) => warnings.push(m) },
    })
    const { meter } = capture
    meter.timing('http.server.request.duration', 5)
    meter.route('/').scope('GET').timer('http.server.active_requests')()
    meter.gauge('nodejs.eventloop.utilization', 1)
    // Tag style's names are free under otel naming.
    meter.increment('http.server.requests')
    await meter.flush()
    expect(capture.lines()).toEqual(['http.server.requests:1|c'])
    expect(meter.stats().faults['reserved-name']).toBe(3)
    expect(warnings[0]).toContain(
      '"http.server.request.duration" is the name of the request duration',
    )
  })
})

describe('otel naming: body sizes', () => {
  it('bodySizes: http.server.request.body.size and http.server.response.body.size with the duration attributes', async () => {
    const capture = createCaptureMeter({ naming: 'otel', bodySizes: true })
    const meter = capture.meter
    const route = meter.route('/echo')
    const server = http.createServer((req, res) => {
      const startedAt = meter.requestStarted(res)
      res.on('finish', () => meter.requestEnded(route, req.method ?? '', 200, startedAt, res))
      req.resume()
      req.on('end', () => res.end('hello'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        { port, host: '127.0.0.1', method: 'POST', path: '/echo' },
        (res) => {
          res.resume()
          res.on('end', resolve)
        },
      )
      req.on('error', reject)
      req.end('x'.repeat(1234))
    })
    await new Promise((resolve) => server.close(resolve))
    const attributes =
      'http.request.method:POST,http.response.status_code:200,http.route:/echo,url.scheme:http,network.protocol.version:1.1'
    const lines = await flushed(capture)
    expect(lines).toContain(`http.server.request.body.size:1234|ms|#${attributes}`)
    expect(lines).toContain(`http.server.response.body.size:5|ms|#${attributes}`)
  })
})

describe('otel naming: request labels', () => {
  it('labels are tags after the attributes (found in a field test: they were dropped)', async () => {
    const capture = createCaptureMeter({
      naming: 'otel',
      labels: { tenant: (request: { tenant?: string }) => request.tenant },
    })
    const route = capture.meter.route('/orders/:id')
    route.record('GET', 200, 3, nodeResponse('GET'), { tenant: 'acme' })
    route.record('GET', 200, 4, nodeResponse('GET'), {})
    expect(await flushed(capture)).toEqual([
      'http.server.request.duration:3|ms|#http.request.method:GET,http.response.status_code:200,http.route:/orders/:id,url.scheme:http,network.protocol.version:1.1,tenant:acme',
      'http.server.request.duration:4|ms|#http.request.method:GET,http.response.status_code:200,http.route:/orders/:id,url.scheme:http,network.protocol.version:1.1,tenant:_none',
    ])
  })
})
