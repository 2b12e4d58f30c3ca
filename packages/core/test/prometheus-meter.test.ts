import { request } from 'node:http'
import { promtoolCheckMetrics, sampleValue } from '@routemeter/test-support'
import { Counter, collectDefaultMetrics, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeter, type Meter } from '../src/index'

const quiet = { warn: () => {} }
let meter: Meter | undefined

afterEach(async () => {
  await meter?.close()
  meter = undefined
})

function get(
  port: number,
  path: string,
  accept?: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: accept === undefined ? {} : { accept } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('one process serving Prometheus', () => {
  it('exposes tag style as http_server_requests_total and http_server_duration_seconds, in seconds, on its own port', async () => {
    meter = createMeter({
      statsd: false,
      prometheus: { port: 0, host: '127.0.0.1', registry: new Registry() },
      logger: quiet,
    })
    const users = meter.route('/users/:id')
    users.record('GET', 200, 40)
    users.record('GET', 200, 300)
    users.record('POST', 503, 2)
    meter.unmatched.record('GET', 404, 1)
    const port = await meter.prometheus?.listening
    expect(port).toBeGreaterThan(0)
    const scrape = await get(port as number, '/metrics')
    expect(scrape.status).toBe(200)
    expect(scrape.type).toBe('text/plain; version=0.0.4; charset=utf-8')
    const body = scrape.body
    expect(
      sampleValue(
        body,
        'http_server_requests_total{route="/users/:id",method="GET",status_code="200",status_class="2xx"}',
      ),
    ).toBe(2)
    expect(
      sampleValue(
        body,
        'http_server_requests_total{route="/users/:id",method="POST",status_code="503",status_class="5xx"}',
      ),
    ).toBe(1)
    expect(
      sampleValue(
        body,
        'http_server_requests_total{route="unmatched",method="GET",status_code="404",status_class="4xx"}',
      ),
    ).toBe(1)
    const labels = 'route="/users/:id",method="GET",status_code="200",status_class="2xx"'
    expect(sampleValue(body, `http_server_duration_seconds_bucket{le="0.025",${labels}}`)).toBe(0)
    expect(sampleValue(body, `http_server_duration_seconds_bucket{le="0.05",${labels}}`)).toBe(1)
    expect(sampleValue(body, `http_server_duration_seconds_bucket{le="0.25",${labels}}`)).toBe(1)
    expect(sampleValue(body, `http_server_duration_seconds_bucket{le="0.5",${labels}}`)).toBe(2)
    expect(sampleValue(body, `http_server_duration_seconds_bucket{le="+Inf",${labels}}`)).toBe(2)
    expect(sampleValue(body, `http_server_duration_seconds_sum{${labels}}`)).toBeCloseTo(0.34)
    expect(sampleValue(body, `http_server_duration_seconds_count{${labels}}`)).toBe(2)
    expect(promtoolCheckMetrics(body)).toEqual({ ok: true, output: '' })
    expect((await get(port as number, '/other')).status).toBe(404)
  })

  it('exposes otel style as http_server_request_duration_seconds with the OpenTelemetry label names and advisory buckets', async () => {
    meter = createMeter({
      statsd: false,
      naming: 'otel',
      prometheus: { port: null, registry: new Registry() },
      logger: quiet,
    })
    meter.route('/users/:id').record('GET', 500, 80)
    const { body } = (await meter.prometheus?.scrape()) ?? { body: '' }
    const labels =
      'http_request_method="GET",http_response_status_code="500",http_route="/users/:id",error_type="500"'
    expect(sampleValue(body, `http_server_request_duration_seconds_count{${labels}}`)).toBe(1)
    expect(
      sampleValue(body, `http_server_request_duration_seconds_bucket{le="0.075",${labels}}`),
    ).toBe(0)
    expect(
      sampleValue(body, `http_server_request_duration_seconds_bucket{le="0.1",${labels}}`),
    ).toBe(1)
    expect(
      sampleValue(body, `http_server_request_duration_seconds_bucket{le="7.5",${labels}}`),
    ).toBe(1)
    expect(body).not.toContain('http_server_requests_total')
    expect(promtoolCheckMetrics(body)).toEqual({ ok: true, output: '' })
  })

  it('puts its series in your registry beside your own metrics and default metrics, and a scrape reads what was just recorded', async () => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const mine = new Counter({ name: 'orders_total', help: 'orders', registers: [registry] })
    mine.inc(3)
    meter = createMeter({
      statsd: false,
      prometheus: { port: null, registry },
      logger: quiet,
      processMetrics: true,
    })
    meter.route('/').record('GET', 200, 1)
    meter.increment('jobs.done', 2)
    meter.timing('db.query', 250, { table: 'users' })
    meter.gauge('queue.depth', 7)
    meter.histogram('batch.size', 42)
    const body = await registry.metrics()
    // registry.metrics() alone reads only what was flushed; the meter's own scrape flushes first.
    const scraped = (await meter.prometheus?.scrape())?.body ?? ''
    expect(sampleValue(scraped, 'orders_total')).toBe(3)
    expect(scraped).toContain('process_cpu_user_seconds_total')
    expect(sampleValue(scraped, 'jobs_done_total')).toBe(2)
    expect(sampleValue(scraped, 'db_query_seconds_sum{table="users"}')).toBeCloseTo(0.25)
    expect(sampleValue(scraped, 'queue_depth')).toBe(7)
    expect(sampleValue(scraped, 'batch_size_bucket{le="100"}')).toBe(1)
    expect(
      sampleValue(
        scraped,
        'http_server_requests_total{route="/",method="GET",status_code="200",status_class="2xx"}',
      ),
    ).toBe(1)
    expect(sampleValue(scraped, 'process_event_loop_utilization')).toBeGreaterThanOrEqual(0)
    expect(sampleValue(scraped, 'process_memory_heap_used_bytes')).toBeGreaterThan(0)
    expect(body).toContain('orders_total 3')
    // promtool's lint complains of prom-client's own default gauges named `_total`, none of ours.
    const complaints = promtoolCheckMetrics(scraped).output.split('\n').filter(Boolean)
    expect(complaints.every((line) => /^nodejs_active_\w+_total /.test(line))).toBe(true)
  })

  it('answers OpenMetrics to a scraper that prefers it, and text again afterwards', async () => {
    meter = createMeter({
      statsd: false,
      prometheus: { port: 0, host: '127.0.0.1', registry: new Registry() },
      logger: quiet,
    })
    meter.route('/').record('GET', 200, 1)
    const port = (await meter.prometheus?.listening) as number
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
    const om = await get(port, '/metrics', accept)
    expect(om.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(om.body).toContain('# TYPE http_server_requests counter')
    expect(om.body).toContain(
      'http_server_requests_total{route="/",method="GET",status_code="200",status_class="2xx"} 1',
    )
    expect(om.body.endsWith('# EOF\n')).toBe(true)
    const text = await get(port, '/metrics', 'text/plain')
    expect(text.body).toContain('# TYPE http_server_requests_total counter')
    expect(promtoolCheckMetrics(text.body).ok).toBe(true)
  })

  it('escapes label values with quotes, backslashes, newlines and broken UTF-16 so promtool accepts them', async () => {
    meter = createMeter({
      statsd: false,
      prometheus: { port: null, registry: new Registry() },
      labels: { tenant: (request: unknown) => String((request as { tenant: string }).tenant) },
      logger: quiet,
    })
    const route = meter.route('/t')
    for (const tenant of ['a"b', 'c\\d', 'e\nf', 'g\uD800h', 'ï'])
      route.record('GET', 200, 1, undefined, { tenant })
    const { body } = (await meter.prometheus?.scrape()) ?? { body: '' }
    expect(body).toContain('tenant="a\\"b"')
    expect(body).toContain('tenant="c\\\\d"')
    expect(body).toContain('tenant="e\\nf"')
    expect(promtoolCheckMetrics(Buffer.from(body, 'utf8').toString('utf8')).ok).toBe(true)
  })
})

describe('an exposition with nothing in it yet', () => {
  it('is valid OpenMetrics: no blank line before # EOF (Prometheus fails such a scrape)', async () => {
    meter = createMeter({
      statsd: false,
      prometheus: { port: null, registry: new Registry() },
      logger: quiet,
    })
    const om = await meter.prometheus?.scrape('application/openmetrics-text; version=1.0.0')
    expect(om?.body).toBe('# EOF\n')
  })
})

describe('Prometheus names whatever the StatsD naming', () => {
  it('path style exposes the same names and labels as tag style: route as a label, gauges without the gauges. root', async () => {
    meter = createMeter({
      statsd: false,
      naming: 'path',
      processMetrics: true,
      prometheus: { port: null, registry: new Registry() },
      logger: quiet,
    })
    const started = meter.requestStarted()
    meter.requestEnded(meter.route('/users/:id'), 'GET', 200, started)
    const { body } = (await meter.prometheus?.scrape()) ?? { body: '' }
    expect(
      sampleValue(
        body,
        'http_server_requests_total{route="/users/:id",method="GET",status_code="200",status_class="2xx"}',
      ),
    ).toBe(1)
    expect(sampleValue(body, 'http_server_active_requests')).toBe(0)
    expect(sampleValue(body, 'process_memory_rss_bytes')).toBeGreaterThan(0)
    expect(body).not.toContain('gauges_')
    expect(body).not.toContain('counters_')
  })
})
