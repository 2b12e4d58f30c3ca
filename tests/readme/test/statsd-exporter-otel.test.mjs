/**
 * The README's statsd_exporter mapping for otel naming, matched with the exporter's glob rule
 * against the names routemeter really sends: the duration becomes the
 * `http_server_request_duration_seconds` histogram with the conventions' advisory buckets, the
 * in-flight gauge `http_server_active_requests`, and the attributes the label names the
 * exporter makes of them (it turns each character a label name may not have into `_`).
 */
import { readFileSync } from 'node:fs'
import { createCaptureMeter } from '@routemeter/core/testing'
import { describe, expect, it } from 'vitest'
import { mapName, parseMappings } from './statsd-exporter-glob.mjs'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

/** OpenTelemetry's advisory bucket boundaries for `http.server.request.duration`, in seconds. */
const ADVISORY_BUCKETS =
  '[0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]'

function readmeMappings() {
  const section = README.slice(README.indexOf('**Prometheus statsd_exporter, otel naming**'))
  const block = /```yaml\n([\s\S]*?)```/.exec(section)
  if (block === null)
    throw new Error('no yaml block after "Prometheus statsd_exporter, otel naming"')
  return parseMappings(block[1])
}

/** What the exporter names a metric or label no mapping renames (its EscapeMetricName). */
function exporterName(name) {
  return name.replace(/[^A-Za-z0-9_]/g, '_')
}

async function emitted(options) {
  const capture = createCaptureMeter({ naming: 'otel', ...options })
  for (const [route, statusCode] of [
    ['/users/:id', 200],
    [null, 404],
    ['/orders', 500],
  ]) {
    capture.meter.recordRequest({ route, method: 'GET', statusCode, durationMs: 12.5 })
  }
  capture.meter.requestEnded(undefined, 'GET', 200, capture.meter.requestStarted())
  await capture.meter.flush()
  const samples = capture.samples()
  await capture.meter.close()
  return samples
}

describe('the README statsd_exporter mapping for otel naming', () => {
  const mappings = readmeMappings()

  it.each([
    [
      'the default prefix applications.<service>.<environment>',
      { service: 'shop', environment: 'prod' },
      { service: 'shop', environment: 'prod' },
    ],
    ['no prefix', { prefix: null }, {}],
  ])('maps every duration and gauge sent with %s', async (_, options, labels) => {
    const samples = await emitted(options)
    const durations = samples.filter((s) => s.name.endsWith('http.server.request.duration'))
    const gauges = samples.filter((s) => s.name.endsWith('http.server.active_requests'))
    expect(durations).toHaveLength(3)
    expect(gauges.length).toBeGreaterThan(0)
    for (const sample of durations) {
      expect(sample.type).toBe('ms')
      expect(mapName(mappings, sample.name), sample.name).toMatchObject({
        name: 'http_server_request_duration_seconds',
        observer_type: 'histogram',
        buckets: ADVISORY_BUCKETS,
        labels,
      })
    }
    for (const sample of gauges) {
      expect(sample.type).toBe('g')
      const mapped = mapName(mappings, sample.name)
      // Without a prefix no rule is needed: the exporter's own name is the same.
      expect(mapped?.name ?? exporterName(sample.name)).toBe('http_server_active_requests')
      expect(mapped?.labels ?? {}).toEqual(labels)
    }
  })

  it('the attributes become the label names the README lists', async () => {
    const keys = new Set(
      (await emitted({ prefix: null }))
        .filter((s) => s.name === 'http.server.request.duration')
        .flatMap((s) => Object.keys(s.tags)),
    )
    expect([...keys].map(exporterName).sort()).toEqual(
      ['error_type', 'http_request_method', 'http_response_status_code', 'http_route'].sort(),
    )
    for (const label of [
      'http_request_method',
      'http_response_status_code',
      'http_route',
      'url_scheme',
      'network_protocol_version',
      'error_type',
    ])
      expect(README).toContain(`\`${label}\``)
  })
})
