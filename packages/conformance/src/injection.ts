import net from 'node:net'
import { type Meter, OTHER_METHOD, STANDARD_METHODS, UNMATCHED_ROUTE } from '@routemeter/core'
import { MAX_NAME_LENGTH, MAX_TAG_VALUE_LENGTH, sanitizeTagValue } from '@routemeter/core/adapter'
import {
  type StatsdDaemon,
  startStatsdDaemon,
  startStatsdReceiver,
  waitUntil,
} from '@routemeter/core/testing'
import {
  captureFaultWarnings,
  type LoadRequest,
  type ProcessFaultWatch,
  sendHttpLoad,
  watchProcessFaults,
} from '@routemeter/test-support'
import type { AdapterFactory, AppSpec, StartedApp } from './adapter'
import { statsdDaemonKey } from './daemon-key'
import { HOSTILE, HUGE } from './hostile'
import { NO_INTERVAL } from './net'
import type { SuiteContext } from './suite'

/**
 * Clients control paths, query strings, methods and headers, and apps turn some of that into
 * route labels, metric names and tags. None of it may add a line, a field or a tag on the wire:
 * checked line by line on a receiver, and by the real Etsy statsd daemon (zero bad lines, only
 * the keys of the series that were sent). Route labels carry the hostile strings each framework
 * lets a route have ({@link AdapterFactory.hostileRoutes}).
 */

/** Latin1 only (what HTTP headers carry), every separator but CR and LF; the last is 1 MB. */
const HEADER_VALUES = [
  'a|b:c#d,e@f=g;h i',
  'caf\u00e9 \u00fc',
  `${'x'.repeat(64)}${'|#k:v'.repeat(200_000)}`,
]
const CUSTOM_METHODS = ['PROPFIND', 'M-SEARCH', 'PURGE']

// dogstatsd line: name:value|type[|@rate][|#k:v,...] and nothing else.
// Tag keys: lower-case, not starting with a digit, dots only between other characters.
const LINE_SHAPE =
  /^[A-Za-z0-9_.-]+:[^|:\n]+\|(c|ms|g|s|h|d)(\|@[\d.]+)?(\|#[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*:[A-Za-z0-9_./:-]+(,[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*:[A-Za-z0-9_./:-]+)*)?$/
const REQUEST_TAGS = ['method', 'route', 'status_class', 'status_code']
const REQUEST_METRICS = ['http.server.requests', 'http.server.duration']

const HOSTILE_APP: AppSpec = {
  large: true,
  hostileRoutes: true,
  routes: [
    // Decoded path parameters and headers become a user metric name and tag values.
    {
      method: 'GET',
      path: '/echo/:value',
      handler({ params, headers, metrics, meter }) {
        const value = params.value ?? ''
        const agent = String(headers['x-agent'] ?? '')
        metrics?.timer(value, { agent })()
        meter?.increment('echo.calls', { value, agent, [value]: agent })
        meter?.set('echo.members', value)
        return { text: 'ok' }
      },
    },
    // A JSON body becomes names, tags and tag values (no HTTP rule limits a body's characters).
    {
      method: 'POST',
      path: '/echo',
      handler({ body, metrics, meter }) {
        const { name, tags } = body as { name: string; tags: Record<string, string> }
        meter?.increment(name, tags)
        meter?.timing(name, 1, tags)
        meter?.gauge(name, 2, tags)
        metrics?.time(name, () => 0, tags)
        return { text: 'ok' }
      },
    },
    { method: CUSTOM_METHODS, path: '/dav', handler: () => ({ text: 'dav' }) },
  ],
}

function hostileApp(factory: AdapterFactory, statsdPort: number): Promise<StartedApp> {
  return factory.start(HOSTILE_APP, {
    port: statsdPort,
    prefix: null,
    flushIntervalMs: NO_INTERVAL,
    logger: captureFaultWarnings().logger,
  })
}

/** The requests, each with the status it must get. */
function hostileRequests(factory: AdapterFactory): Array<LoadRequest & { status: number }> {
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
  for (const path of factory.hostileRoutes.requests) get(path, 200)
  for (const method of CUSTOM_METHODS) {
    requests.push({ method, path: '/dav', status: 200 })
    requests.push({ method, path: '/not/here', status: 404 })
  }
  return requests
}

/** Drives the hostile requests, checks every status, shuts the app down; returns the count. */
async function drive(factory: AdapterFactory, app: StartedApp): Promise<number> {
  const requests = hostileRequests(factory)
  const wrong: string[] = []
  await sendHttpLoad({
    port: app.port,
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
  if (wrong.length > 0) throw new Error(`unexpected statuses: ${wrong.join('; ')}`)
  await app.shutdown()
  return requests.length
}

export function injectionSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect, beforeEach, afterEach, beforeAll, afterAll } = test
  const labels = factory.hostileRoutes.labels
  /** Route tag values the request metrics may carry: the sanitised templates and labels. */
  const expectedRoutes = new Set(
    [...labels, '/echo/:value', '/echo', '/dav'].map((route) =>
      sanitizeTagValue(route, 'dogstatsd'),
    ),
  ).add(UNMATCHED_ROUTE)

  describe(`${factory.name}: metric injection through HTTP`, () => {
    let watch: ProcessFaultWatch
    let app: StartedApp | undefined
    beforeEach(() => {
      watch = watchProcessFaults()
    })
    afterEach(async () => {
      await app?.dispose()
      app = undefined
      expect(watch.faults).toEqual([])
      watch.stop()
    })

    it('paths, methods, headers, bodies and route labels add no line, field or tag on the wire', async () => {
      const receiver = await startStatsdReceiver({ protocol: 'udp' })
      app = await hostileApp(factory, receiver.port)
      const requests = await drive(factory, app)
      const { lines } = (app.meter as Meter).stats()
      await receiver.waitFor((r) => r.lines().length >= lines)
      await receiver.close()

      // Exactly the lines the meter produced, each well formed.
      expect(receiver.lines()).toHaveLength(lines)
      const { maxBufferSize } = (app.meter as Meter).options
      for (const packet of receiver.packets)
        expect(packet.length).toBeLessThanOrEqual(maxBufferSize)
      for (const line of receiver.lines()) expect(line).toMatch(LINE_SHAPE)

      const samples = receiver.samples()
      for (const sample of samples.filter((s) => REQUEST_METRICS.includes(s.name))) {
        expect(Object.keys(sample.tags).sort()).toEqual(REQUEST_TAGS)
        expect(expectedRoutes).toContain(sample.tags.route)
        expect([...STANDARD_METHODS, OTHER_METHOD]).toContain(sample.tags.method)
      }
      // Every request counted once, custom methods as _OTHER, under their route or `unmatched`.
      expect(receiver.counter('http.server.requests')).toBe(requests)
      expect(
        receiver.counter('http.server.requests', { route: '/dav', method: OTHER_METHOD }),
      ).toBe(CUSTOM_METHODS.length)
      for (const label of labels) {
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
        const reference = await hostileApp(factory, receiver.port)
        app = reference
        await drive(factory, reference)
        await receiver.waitFor((r) => r.lines().length >= (reference.meter as Meter).stats().lines)
        await receiver.close()
        const sentKeys = new Set(receiver.lines().map(statsdDaemonKey))

        const before = (await daemon.counters())['statsd.metrics_received'] ?? 0
        app = await hostileApp(factory, daemon.port)
        await drive(factory, app)
        const { lines } = (app.meter as Meter).stats()
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
      app = await hostileApp(factory, receiver.port)
      const { port } = app
      for (const method of ['GET|#evil:1', 'GET\nevil:1|c', 'G:E,T', 'ÜBER']) {
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = net.connect({ host: '127.0.0.1', port })
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
      const meter = app.meter as Meter
      await waitUntil(() => meter.stats().activeRequests === 0, 'nothing in flight')
      await app.shutdown()
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(receiver.find('http.server.requests')).toEqual([])
      await receiver.close()
    })
  })
}
