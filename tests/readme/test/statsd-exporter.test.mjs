/**
 * The README's statsd_exporter mapping, matched with the exporter's glob rule against the names
 * routemeter really sends: with the default prefix `applications.<service>.<environment>` and
 * with none, the request counter becomes `http_server_requests_total` and the duration timer the
 * `http_server_duration_seconds` histogram.
 */
import { readFileSync } from 'node:fs'
import { createCaptureMeter } from '@routemeter/core/testing'
import { describe, expect, it } from 'vitest'
import { globMatch, mapName, parseMappings } from './statsd-exporter-glob.mjs'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

/** The yaml block of the README's statsd_exporter paragraph. */
function readmeMappings() {
  const section = README.slice(README.indexOf('**Prometheus statsd_exporter**'))
  const block = /```yaml\n([\s\S]*?)```/.exec(section)
  if (block === null) throw new Error('no yaml block after "Prometheus statsd_exporter"')
  return parseMappings(block[1])
}

/** Names and types of what a meter with these options sends for a few requests. */
async function emitted(options) {
  const capture = createCaptureMeter(options)
  for (const [route, statusCode] of [
    ['/users/:id', 200],
    ['/users/:id', 404],
    ['/orders', 500],
  ]) {
    capture.meter.recordRequest({ route, method: 'GET', statusCode, durationMs: 12.5 })
  }
  await capture.meter.flush()
  const samples = capture.samples()
  await capture.meter.close()
  return samples
}

describe('the glob rule', () => {
  it('`*` is exactly one segment, part of a segment too; captures in order', () => {
    expect(globMatch('*.http.server.requests', 'applications.shop.prod.http.server.requests')).toBe(
      null,
    )
    expect(globMatch('http.server.requests', 'shop.http.server.requests')).toBe(null)
    expect(globMatch('a.*.*.x', 'a.shop.prod.x')).toEqual(['shop', 'prod'])
    expect(globMatch('a.b*.x', 'a.bc.x')).toEqual(['c'])
  })
})

describe('the README statsd_exporter mapping', () => {
  const mappings = readmeMappings()

  it.each([
    [
      'the default prefix applications.<service>.<environment>',
      { service: 'shop', environment: 'prod' },
      { service: 'shop', environment: 'prod' },
    ],
    ['no prefix', { prefix: null }, {}],
  ])('maps every request metric sent with %s', async (_, options, labels) => {
    const samples = await emitted(options)
    const requests = samples.filter((s) => s.name.endsWith('http.server.requests'))
    const durations = samples.filter((s) => s.name.endsWith('http.server.duration'))
    expect(requests.length).toBeGreaterThan(0)
    expect(durations.length).toBeGreaterThan(0)
    for (const sample of requests) {
      expect(sample.type).toBe('c')
      expect(mapName(mappings, sample.name), sample.name).toMatchObject({
        name: 'http_server_requests_total',
        labels,
      })
    }
    for (const sample of durations) {
      expect(sample.type).toBe('ms')
      expect(mapName(mappings, sample.name), sample.name).toMatchObject({
        name: 'http_server_duration_seconds',
        observer_type: 'histogram',
        labels,
      })
    }
  })
})
