import { tmpdir } from 'node:os'
import path from 'node:path'
import { promtoolCheckMetrics, sampleValue } from '@routemeter/test-support'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { FaultLog } from '../src/config/fault-log'
import {
  type PrometheusAggregator,
  startPrometheusAggregator,
} from '../src/outputs/prometheus/aggregator'
import { Forwarder } from '../src/outputs/prometheus/forwarder'
import { PrometheusStore } from '../src/outputs/prometheus/store'
import { waitUntil } from '../src/testing/wait'

const quiet = { warn: () => {} }
const requests = { name: 'http_server_requests_total', type: 'counter', help: 'requests' } as const
const duration = {
  name: 'http_server_duration_seconds',
  type: 'histogram',
  help: 'duration',
  buckets: [0.1, 1],
} as const
const active = { name: 'http_server_active_requests', type: 'gauge', help: 'active' } as const
const heap = { name: 'process_heap_bytes', type: 'gauge', help: 'heap', perSource: true } as const

function worker(socket: string, source: string) {
  const store = new PrometheusStore(true, () => {})
  const forwarder = new Forwarder(socket, store, source, 1 << 20, new FaultLog(quiet))
  const series = (
    def: Parameters<PrometheusStore['family']>[0],
    labels: Record<string, string>,
  ) => {
    const family = store.family(def)
    if (family === undefined) throw new Error('family refused')
    return store.series(family, labels)
  }
  return { store, forwarder, series }
}

let aggregator: PrometheusAggregator | undefined
const socket = () =>
  path.join(tmpdir(), `routemeter-test-${process.pid}-${Math.random().toString(36).slice(2)}.sock`)

/** An aggregator on a free loopback port, with a registry of its own. */
function startAggregator(
  socketPath: string = socket(),
  logger: { warn(message: string): void } = quiet,
): Promise<PrometheusAggregator> {
  return startPrometheusAggregator({
    port: 0,
    host: '127.0.0.1',
    socket: socketPath,
    registry: new Registry(),
    logger,
  })
}

/** Waits until the aggregator exposes `sample` at `value`. */
function untilExposed(sample: string, value: number, what: string): Promise<void> {
  return waitUntil(
    async () => sampleValue((await aggregator?.scrape())?.body ?? '', sample) === value,
    what,
  )
}

afterEach(async () => {
  await aggregator?.close()
  aggregator = undefined
})

describe('the Prometheus aggregator', () => {
  it('adds every worker’s counter and histogram changes into one total, and a worker that leaves takes its gauges but not its counts', async () => {
    aggregator = await startAggregator()
    const a = worker(aggregator.socket, 'a')
    const b = worker(aggregator.socket, 'b')
    const route = { route: '/users/:id', method: 'GET', status_code: '200' }
    for (let i = 0; i < 3; i++) a.series(requests, route).add(1)
    b.series(requests, route).add(4)
    a.series(duration, route).observe(0.05, 1)
    b.series(duration, route).observe(0.5, 2)
    b.series(duration, route).observe(5, 1)
    a.series(active, {}).set(2)
    b.series(active, {}).set(3)
    a.series(heap, {}).set(100)
    b.series(heap, {}).set(200)
    a.forwarder.send()
    b.forwarder.send()
    let body = ''
    await waitUntil(async () => {
      body = (await aggregator?.scrape())?.body ?? ''
      return (
        sampleValue(
          body,
          'http_server_requests_total{route="/users/:id",method="GET",status_code="200"}',
        ) === 7
      )
    }, 'both workers counted')
    expect(
      sampleValue(
        body,
        'http_server_duration_seconds_bucket{le="0.1",route="/users/:id",method="GET",status_code="200"}',
      ),
    ).toBe(1)
    expect(
      sampleValue(
        body,
        'http_server_duration_seconds_bucket{le="1",route="/users/:id",method="GET",status_code="200"}',
      ),
    ).toBe(3)
    expect(
      sampleValue(
        body,
        'http_server_duration_seconds_bucket{le="+Inf",route="/users/:id",method="GET",status_code="200"}',
      ),
    ).toBe(4)
    expect(
      sampleValue(
        body,
        'http_server_duration_seconds_count{route="/users/:id",method="GET",status_code="200"}',
      ),
    ).toBe(4)
    expect(
      sampleValue(
        body,
        'http_server_duration_seconds_sum{route="/users/:id",method="GET",status_code="200"}',
      ),
    ).toBeCloseTo(6.05)
    expect(sampleValue(body, 'http_server_active_requests')).toBe(5)
    expect(sampleValue(body, 'process_heap_bytes{worker="a"}')).toBe(100)
    expect(sampleValue(body, 'process_heap_bytes{worker="b"}')).toBe(200)
    expect(promtoolCheckMetrics(body)).toEqual({ ok: true, output: '' })

    await b.forwarder.close(2_000)
    await waitUntil(async () => {
      body = (await aggregator?.scrape())?.body ?? ''
      return sampleValue(body, 'http_server_active_requests') === 2
    }, 'the gauge of the worker that left gone')
    expect(sampleValue(body, 'process_heap_bytes{worker="b"}')).toBeUndefined()
    expect(
      sampleValue(
        body,
        'http_server_requests_total{route="/users/:id",method="GET",status_code="200"}',
      ),
    ).toBe(7)
    // The next change from the worker still here adds on top.
    a.series(requests, route).add(1)
    a.forwarder.send()
    await waitUntil(async () => {
      body = (await aggregator?.scrape())?.body ?? ''
      return (
        sampleValue(
          body,
          'http_server_requests_total{route="/users/:id",method="GET",status_code="200"}',
        ) === 8
      )
    }, 'the remaining worker adds on')
    await a.forwarder.close(2_000)
  })

  it('serves OpenMetrics 1.0 when the scraper asks for it, with counters named by the format', async () => {
    aggregator = await startAggregator()
    const a = worker(aggregator.socket, 'a')
    a.series(requests, { route: '/' }).add(2)
    a.forwarder.send()
    await untilExposed('http_server_requests_total{route="/"}', 2, 'the count')
    const om = await aggregator.scrape(
      'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
    )
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(om.body).toContain('# TYPE http_server_requests counter\n')
    expect(om.body).toContain('http_server_requests_total{route="/"} 2\n')
    expect(om.body.endsWith('# EOF\n')).toBe(true)
    // And the text format is right again afterwards.
    const text = await aggregator.scrape('text/plain')
    expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(text.body).toContain('# TYPE http_server_requests_total counter\n')
    expect(promtoolCheckMetrics(text.body).ok).toBe(true)
    await a.forwarder.close(2_000)
  })
})

describe('the aggregator’s socket', () => {
  it('takes over a socket path an aggregator that was killed left behind', async () => {
    const { writeFileSync, existsSync } = await import('node:fs')
    const path = socket()
    writeFileSync(path, '')
    aggregator = await startAggregator(path)
    const a = worker(aggregator.socket, 'a')
    a.series(requests, { route: '/' }).add(1)
    a.forwarder.send()
    await untilExposed(
      'http_server_requests_total{route="/"}',
      1,
      'the change through the taken-over socket',
    )
    await a.forwarder.close(2_000)
    await aggregator.close()
    aggregator = undefined
    expect(existsSync(path)).toBe(false)
  })

  it('refuses to start beside a live aggregator on the same socket, naming the path', async () => {
    aggregator = await startAggregator()
    await expect(startAggregator(aggregator.socket)).rejects.toThrow(
      `another routemeter aggregator is listening on ${aggregator.socket}`,
    )
  })
})

describe('an aggregator that restarts', () => {
  it('is one reset to Prometheus: workers reconnect, send every family and gauge again, and count on from there', async () => {
    const path = socket()
    aggregator = await startAggregator(path)
    const a = worker(path, 'a')
    a.series(requests, { route: '/' }).add(5)
    a.series(active, {}).set(2)
    a.forwarder.send()
    await untilExposed('http_server_requests_total{route="/"}', 5, 'the first count')
    await aggregator.close()
    // What a worker writes while the aggregator is going down goes down with it; once it has
    // seen the aggregator go, changes wait in its queue.
    await waitUntil(() => !a.forwarder.isConnected, 'the worker saw the aggregator go')
    a.series(requests, { route: '/' }).add(3)
    a.forwarder.send()
    aggregator = await startAggregator(path)
    let body = ''
    await waitUntil(
      async () => {
        body = (await aggregator?.scrape())?.body ?? ''
        return sampleValue(body, 'http_server_requests_total{route="/"}') === 3
      },
      'the worker reconnected and delivered what waited',
      5_000,
    )
    // The gauge is there again without having changed: it was resent on reconnection.
    expect(sampleValue(body, 'http_server_active_requests')).toBe(2)
    expect(a.forwarder.dropped).toBe(0)
    await a.forwarder.close(2_000)
  })

  it('a worker holds at most maxQueueBytes of changes while no aggregator answers, dropping the oldest and saying so', async () => {
    const warnings: string[] = []
    const store = new PrometheusStore(true, () => {})
    const forwarder = new Forwarder(
      socket(),
      store,
      'w',
      1_000,
      new FaultLog({ warn: (m) => warnings.push(m) }),
    )
    const family = store.family(requests)
    if (family === undefined) throw new Error('family refused')
    for (let i = 0; i < 100; i++) {
      store.series(family, { route: `/r${i}` }).add(1)
      forwarder.send()
    }
    expect(forwarder.dropped).toBeGreaterThan(0)
    expect(warnings.some((w) => w.includes('dropped the oldest changes'))).toBe(true)
    await forwarder.close(100)
  })
})

describe('workers that disagree', () => {
  it('a family declared with another type is refused from that worker, never added to the other kind', async () => {
    const refused: string[] = []
    aggregator = await startAggregator(socket(), { warn: (m) => refused.push(m) })
    const a = worker(aggregator.socket, 'a')
    const b = worker(aggregator.socket, 'b')
    a.series(requests, { route: '/' }).add(2)
    a.forwarder.send()
    await untilExposed('http_server_requests_total{route="/"}', 2, 'a’s count')
    // b's version has the name as a gauge.
    b.series({ name: requests.name, type: 'gauge', help: 'x' }, { route: '/' }).set(1000)
    b.forwarder.send()
    await waitUntil(
      () => refused.some((m) => m.includes('is already a counter')),
      'the conflict logged',
    )
    a.series(requests, { route: '/' }).add(1)
    a.forwarder.send()
    await untilExposed(
      'http_server_requests_total{route="/"}',
      3,
      'a’s next count, b’s gauge left out',
    )
    // Both workers connected; b's family was refused (and its change with it).
    expect(aggregator.stats()).toMatchObject({ connections: 2 })
    expect(aggregator.stats().refused).toBeGreaterThanOrEqual(1)
    expect(aggregator.host).toBe('127.0.0.1')
    await a.forwarder.close(2_000)
    await b.forwarder.close(2_000)
  })
})
