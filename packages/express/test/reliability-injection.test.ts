import http from 'node:http'
import net from 'node:net'
import {
  MAX_NAME_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  OTHER_METHOD,
  STANDARD_METHODS,
  sanitizeTagValue,
  UNMATCHED_ROUTE,
} from '@routemeter/core'
import {
  captureFaultWarnings,
  type LoadRequest,
  type ProcessFaultWatch,
  type StatsdDaemon,
  sendHttpLoad,
  startStatsdDaemon,
  startStatsdReceiver,
  statsdDaemonKey,
  waitUntil,
  watchProcessFaults,
} from '@routemeter/core/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type RoutemeterMiddleware, routemeter } from '../src/index'
import { closeServer, listen } from './support/async'
import { type ExpressFactory, MAJORS } from './support/harness'

/**
 * Clients control paths, query strings, methods and headers, and apps turn some of that into
 * route labels, metric names and tags. None of it may add a line, a field or a tag on the wire:
 * checked line by line on a receiver, and by the real Etsy statsd daemon (zero bad lines, only
 * the keys of the series that were sent).
 */

const SEPARATORS = ['\n', '\r', '|', ':', '#', ',', '@', '=', ';', ' ']
/** One of each separator and some unicode, in every position that matters. */
const HOSTILE = [
  'orders\nsummary',
  'a\r\nb',
  'x:1|c\nevil:2|c',
  'x|c|@0.5|#evil:1',
  'tenant:acme#1',
  'k=v,evil=1',
  'graphite;tag=x',
  'at@home',
  'with space',
  'ünïcødé 漢字 😀',
  SEPARATORS.join(''),
]
/** 1 MB of separators and unicode. */
const HUGE = `${SEPARATORS.join('')}é漢😀`
  .repeat(Math.ceil((1024 * 1024) / 16))
  .slice(0, 1024 * 1024)
/** Latin1 only (what HTTP headers carry), every separator but CR and LF; the last is 1 MB. */
const HEADER_VALUES = [
  'a|b:c#d,e@f=g;h i',
  'caf\u00e9 \u00fc',
  `${'x'.repeat(64)}${'|#k:v'.repeat(200_000)}`,
]
const CUSTOM_METHODS = ['PROPFIND', 'M-SEARCH', 'PURGE']

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * Express route labels are the paths as registered; these carry every separator. Express matches
 * the raw (percent-encoded) path, so spaces, unicode and line breaks live in RegExp routes,
 * in alternatives the request does not need to match. Every route path becomes a RegExp, and V8
 * refuses RegExps much over 16 KB of source, so that is the longest label an Express app can
 * have; 1 MB strings reach this app through paths, headers and bodies instead.
 */
const LONG_LABEL = `${SEPARATORS.join('')}é漢😀`.repeat(1024).slice(0, 12 * 1024)
const ROUTE_PATHS: ReadonlyArray<string | RegExp | string[]> = [
  '/odd/a@b=c;d,e',
  // Not `|`: Express 4 joins array paths into one RegExp with `|`, unescaped.
  ['/arr/a', '/arr/b@c=d'],
  new RegExp(`^/re/one(?:${HOSTILE.map(escapeRegExp).join('|')})?$`),
  new RegExp(`^/re/long(?:${escapeRegExp(LONG_LABEL)})?$`),
]
const ROUTE_REQUESTS = ['/odd/a@b=c;d,e', '/arr/b@c=d', '/re/one', '/re/long', '/mount@x=y;z/inner']
const ROUTE_LABELS = [
  '/odd/a@b=c;d,e',
  '/arr/a,/arr/b@c=d',
  String(ROUTE_PATHS[2]),
  String(ROUTE_PATHS[3]),
  '/mount@x=y;z/inner',
]

// dogstatsd line: name:value|type[|@rate][|#k:v,...] and nothing else.
const LINE_SHAPE =
  /^[A-Za-z0-9_.-]+:[^|:\n]+\|(c|ms|g|s|h|d)(\|@[\d.]+)?(\|#[a-z0-9_]+:[A-Za-z0-9_./:-]+(,[a-z0-9_]+:[A-Za-z0-9_./:-]+)*)?$/
const REQUEST_TAGS = ['method', 'route', 'status_class', 'status_code']
const REQUEST_METRICS = ['http.server.requests', 'http.server.duration']

interface Subject {
  readonly server: http.Server
  readonly metrics: RoutemeterMiddleware
  readonly port: number
}

async function hostileApp(express: ExpressFactory, statsdPort: number): Promise<Subject> {
  const metrics = routemeter({
    port: statsdPort,
    prefix: null,
    flushIntervalMs: 3_600_000,
    logger: captureFaultWarnings().logger,
  })
  const app = express()
  app.use(metrics)
  app.use(express.json({ limit: '16mb' }))
  // Decoded path parameters and headers become a user metric name and tag values.
  app.get('/echo/:value', (req, res) => {
    const value = String(req.params.value)
    const agent = String(req.headers['x-agent'] ?? '')
    req.metrics.timer(value, { agent })()
    metrics.meter.increment('echo.calls', { value, agent, [value]: agent })
    metrics.meter.set('echo.members', value)
    res.send('ok')
  })
  // A JSON body becomes names, tags and tag values (no HTTP rule limits a body's characters).
  app.post('/echo', (req, res) => {
    const { name, tags } = req.body as { name: string; tags: Record<string, string> }
    metrics.meter.increment(name, tags)
    metrics.meter.timing(name, 1, tags)
    metrics.meter.gauge(name, 2, tags)
    req.metrics.time(name, () => 0, tags)
    res.send('ok')
  })
  for (const path of ROUTE_PATHS) {
    app.get(path, (_req, res) => {
      res.send('route')
    })
  }
  const inner = express.Router()
  inner.get('/inner', (_req, res) => {
    res.send('inner')
  })
  app.use('/mount@x=y;z', inner)
  const dav = (_req: unknown, res: { send(body: string): void }) => res.send('dav')
  app.propfind('/dav', dav)
  app['m-search']('/dav', dav)
  app.purge('/dav', dav)
  // Big enough for the 1 MB path and header values below.
  const server = http.createServer({ maxHeaderSize: 16 * 1024 * 1024 }, app)
  return { server, metrics, port: await listen(server) }
}

/** The requests, each with the status it must get. */
function hostileRequests(): Array<LoadRequest & { status: number }> {
  const requests: Array<LoadRequest & { status: number }> = []
  const get = (path: string, status: number, headers?: Record<string, string>) =>
    requests.push({ method: 'GET', path, status, ...(headers ? { headers } : {}) })
  for (const value of [...HOSTILE, HUGE]) {
    get(`/echo/${encodeURIComponent(value)}?q=${encodeURIComponent(value)}`, 200)
    get(`/${encodeURIComponent(value)}/${encodeURIComponent(value)}`, 404)
  }
  for (const agent of HEADER_VALUES) get('/echo/agent', 200, { 'x-agent': agent })
  for (const name of [...HOSTILE, HUGE]) {
    const body = JSON.stringify({ name, tags: { [name]: name, plain: name } })
    requests.push({
      method: 'POST',
      path: '/echo',
      body: Buffer.from(body).toString('latin1'),
      headers: { 'content-type': 'application/json' },
      status: 200,
    })
  }
  for (const path of ROUTE_REQUESTS) get(path, 200)
  for (const method of CUSTOM_METHODS) {
    requests.push({ method, path: '/dav', status: 200 })
    requests.push({ method, path: '/not/here', status: 404 })
  }
  return requests
}

/** Route tag values the request metrics may carry: the sanitised templates and labels. */
const EXPECTED_ROUTES = new Set(
  [...ROUTE_LABELS, '/echo/:value', '/echo', '/dav'].map((route) =>
    sanitizeTagValue(route, 'dogstatsd'),
  ),
).add(UNMATCHED_ROUTE)

async function drive(subject: Subject): Promise<number> {
  const requests = hostileRequests()
  const wrong: string[] = []
  await sendHttpLoad({
    port: subject.port,
    total: requests.length,
    connections: 2,
    pipeline: 1,
    request: (i) => requests[i] as LoadRequest,
    onResponse(i, response) {
      const expected = requests[i]
      if (response.status !== expected?.status) {
        wrong.push(`${expected?.method} ${expected?.path.slice(0, 60)}: ${response.status}`)
      }
    },
  })
  expect(wrong).toEqual([])
  await closeServer(subject.server)
  await subject.metrics.close()
  return requests.length
}

describe.each(MAJORS)('$major: metric injection through HTTP', ({ express }) => {
  let watch: ProcessFaultWatch
  beforeEach(() => {
    watch = watchProcessFaults()
  })
  afterEach(() => {
    expect(watch.faults).toEqual([])
    watch.stop()
  })

  it('paths, methods, headers, bodies and route paths add no line, field or tag on the wire', async () => {
    const receiver = await startStatsdReceiver({ protocol: 'udp' })
    const subject = await hostileApp(express, receiver.port)
    const requests = await drive(subject)
    const { lines } = subject.metrics.meter.stats()
    await receiver.waitFor((r) => r.lines().length >= lines)
    await receiver.close()

    // Exactly the lines the meter produced, each well formed.
    expect(receiver.lines()).toHaveLength(lines)
    for (const packet of receiver.packets) expect(packet.length).toBeLessThanOrEqual(1432)
    for (const line of receiver.lines()) expect(line).toMatch(LINE_SHAPE)

    const samples = receiver.samples()
    for (const sample of samples.filter((s) => REQUEST_METRICS.includes(s.name))) {
      expect(Object.keys(sample.tags).sort()).toEqual(REQUEST_TAGS)
      expect(EXPECTED_ROUTES).toContain(sample.tags.route)
      expect([...STANDARD_METHODS, OTHER_METHOD]).toContain(sample.tags.method)
    }
    // Every request counted once, custom methods as _OTHER, under their route or `unmatched`.
    expect(receiver.counter('http.server.requests')).toBe(requests)
    expect(receiver.counter('http.server.requests', { route: '/dav', method: OTHER_METHOD })).toBe(
      CUSTOM_METHODS.length,
    )
    for (const label of ROUTE_LABELS) {
      expect(
        receiver.counter('http.server.requests', { route: sanitizeTagValue(label, 'dogstatsd') }),
      ).toBe(1)
    }
    // User metrics fed from the request: names and tag values within the documented limits, and
    // no more tags than the app gave.
    for (const sample of samples) {
      expect(sample.name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH)
      for (const value of Object.values(sample.tags)) {
        expect(value.length).toBeLessThanOrEqual(MAX_TAG_VALUE_LENGTH)
      }
      expect(Object.keys(sample.tags).length).toBeLessThanOrEqual(4)
    }
    expect(receiver.counter('echo.calls')).toBe(HOSTILE.length + 1 + HEADER_VALUES.length)
  })

  describe('the real statsd daemon', () => {
    let daemon: StatsdDaemon
    beforeAll(async () => {
      daemon = await startStatsdDaemon()
    })
    afterAll(() => daemon.close())

    it('reports zero bad lines and holds only the keys of the series sent', async () => {
      // The same run, first to a receiver to learn which series were sent, then to the daemon.
      const receiver = await startStatsdReceiver({ protocol: 'udp' })
      const reference = await hostileApp(express, receiver.port)
      await drive(reference)
      await receiver.waitFor((r) => r.lines().length >= reference.metrics.meter.stats().lines)
      await receiver.close()
      const sentKeys = new Set(receiver.lines().map(statsdDaemonKey))

      const before = (await daemon.counters())['statsd.metrics_received'] ?? 0
      const subject = await hostileApp(express, daemon.port)
      await drive(subject)
      const { lines } = subject.metrics.meter.stats()
      const counters = await daemon.waitForCounters(
        (c) => (c['statsd.metrics_received'] ?? 0) - before >= lines,
      )
      expect((counters['statsd.metrics_received'] ?? 0) - before).toBe(lines)
      expect(counters['statsd.bad_lines_seen']).toBe(0)

      const held = [
        ...Object.keys(counters),
        ...Object.keys(await daemon.timers()),
        ...Object.keys(await daemon.gauges()),
      ].filter((key) => !key.startsWith('statsd.'))
      expect(held.length).toBeGreaterThan(0)
      for (const key of held) expect(sentKeys).toContain(key)
      // Request series keep their four tags through the daemon's own parsing.
      for (const key of held.filter((k) => REQUEST_METRICS.includes(k.split(';')[0] ?? ''))) {
        expect(key.split(';').map((part) => part.split('=')[0])).toEqual([
          key.split(';')[0],
          'route',
          'method',
          'status_code',
          'status_class',
        ])
      }
    })
  })

  it("methods that are not HTTP tokens never reach the app: Node's parser answers 400, nothing is recorded", async () => {
    const receiver = await startStatsdReceiver({ protocol: 'udp' })
    const subject = await hostileApp(express, receiver.port)
    for (const method of ['GET|#evil:1', 'GET\nevil:1|c', 'G:E,T', 'ÜBER']) {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port: subject.port })
        let text = ''
        socket.setEncoding('latin1')
        socket.on('connect', () =>
          socket.write(`${method} /dav HTTP/1.1\r\nhost: x\r\n\r\n`, 'latin1'),
        )
        socket.on('data', (chunk: string) => {
          text += chunk
        })
        socket.on('close', () => resolve(text))
        socket.on('error', reject)
      })
      expect(reply).toMatch(/^HTTP\/1\.1 400 /)
    }
    await waitUntil(() => subject.metrics.meter.stats().activeRequests === 0, 'nothing in flight')
    await closeServer(subject.server)
    await subject.metrics.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(receiver.find('http.server.requests')).toEqual([])
    await receiver.close()
  })
})
