import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/config/options'
import {
  OTEL_DURATION_BUCKETS,
  SIZE_BUCKETS,
  TAG_DURATION_BUCKETS,
} from '../src/config/prometheus-options'

const resolve = (prometheus: unknown, env: Record<string, string> = {}, naming?: 'otel') =>
  resolveOptions({ prometheus: prometheus as never, ...(naming ? { naming } : {}) }, env).prometheus

describe('prometheus options', () => {
  it('are off unless asked for; true is the own listener on 9464 at localhost', () => {
    expect(resolve(undefined)).toBeUndefined()
    expect(resolve(false)).toBeUndefined()
    expect(resolve(true)).toEqual({
      port: 9464,
      host: 'localhost',
      route: undefined,
      registry: undefined,
      durationBuckets: TAG_DURATION_BUCKETS,
      sizeBuckets: SIZE_BUCKETS,
      aggregator: undefined,
    })
  })

  it('a route means no listener of its own unless a port is given; OTEL_EXPORTER_PROMETHEUS_PORT and _HOST apply', () => {
    expect(resolve({ route: '/metrics' })?.port).toBeNull()
    expect(resolve({ route: '/metrics', port: 9000 })?.port).toBe(9000)
    expect(
      resolve(
        {},
        { OTEL_EXPORTER_PROMETHEUS_PORT: '9999', OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0' },
      ),
    ).toMatchObject({
      port: 9999,
      host: '0.0.0.0',
    })
    expect(
      resolve(
        { port: 1234, host: '127.0.0.1' },
        { OTEL_EXPORTER_PROMETHEUS_PORT: '9999', OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0' },
      ),
    ).toMatchObject({
      port: 1234,
      host: '127.0.0.1',
    })
  })

  it('otel naming gets the conventions’ advisory buckets; buckets can be set', () => {
    expect(resolve(true, {}, 'otel')?.durationBuckets).toEqual(OTEL_DURATION_BUCKETS)
    expect(resolve({ durationBuckets: [0.1, 1], sizeBuckets: [10] })).toMatchObject({
      durationBuckets: [0.1, 1],
      sizeBuckets: [10],
    })
  })

  it('aggregator: true is the default socket of the port, a path is kept, ROUTEMETER_PROMETHEUS_AGGREGATOR likewise', () => {
    expect(resolve({ port: 9100, aggregator: true })?.aggregator).toBe(
      path.join(tmpdir(), 'routemeter-prometheus-9100.sock'),
    )
    expect(resolve({ aggregator: '/run/agg.sock' })?.aggregator).toBe('/run/agg.sock')
    expect(resolve({ port: 9100 }, { ROUTEMETER_PROMETHEUS_AGGREGATOR: '1' })?.aggregator).toBe(
      path.join(tmpdir(), 'routemeter-prometheus-9100.sock'),
    )
    expect(resolve({}, { ROUTEMETER_PROMETHEUS_AGGREGATOR: '/x.sock' })?.aggregator).toBe('/x.sock')
    expect(resolve({}, { ROUTEMETER_PROMETHEUS_AGGREGATOR: '0' })?.aggregator).toBeUndefined()
    expect(
      resolve({ aggregator: false }, { ROUTEMETER_PROMETHEUS_AGGREGATOR: '1' })?.aggregator,
    ).toBeUndefined()
  })

  it.each([
    [{ port: 70_000 }, {}, 'prometheus.port', '70000', 'an integer 0–65535, or null'],
    [{ port: '9464' }, {}, 'prometheus.port', '"9464"', 'an integer 0–65535'],
    [{ route: 'metrics' }, {}, 'prometheus.route', '"metrics"', 'a path starting with "/"'],
    [{ route: '/m?x' }, {}, 'prometheus.route', '"/m?x"', 'no query'],
    [{ registry: {} }, {}, 'prometheus.registry', 'an object', 'a prom-client Registry'],
    [
      { durationBuckets: [1, 0.5] },
      {},
      'prometheus.durationBuckets',
      '[1,0.5]',
      'increasing order',
    ],
    [{ sizeBuckets: [] }, {}, 'prometheus.sizeBuckets', '[]', 'a non-empty list'],
    [{ aggregator: 3 }, {}, 'prometheus.aggregator', '3', "the aggregator's socket path"],
    [{ prot: 1 }, {}, 'prometheus.prot', '1', 'one of port, host'],
    [
      {},
      { OTEL_EXPORTER_PROMETHEUS_PORT: 'x' },
      'OTEL_EXPORTER_PROMETHEUS_PORT',
      '"x"',
      'an integer 0–65535',
    ],
    [
      {},
      { OTEL_EXPORTER_PROMETHEUS_HOST: ' ' },
      'OTEL_EXPORTER_PROMETHEUS_HOST',
      '" "',
      'a host name',
    ],
    ['yes', {}, 'prometheus', '"yes"', 'true, or an object'],
  ])(
    '%j %j fails at start-up naming %s, the value and what is allowed',
    (prometheus, env, name, value, allowed) => {
      expect(() => resolve(prometheus, env as Record<string, string>)).toThrow(name)
      expect(() => resolve(prometheus, env as Record<string, string>)).toThrow(value)
      expect(() => resolve(prometheus, env as Record<string, string>)).toThrow(allowed)
    },
  )

  it('statsd: false (or ROUTEMETER_STATSD=false) turns StatsD off', () => {
    expect(resolveOptions({ statsd: false }, {}).statsd).toBe(false)
    expect(resolveOptions({}, { ROUTEMETER_STATSD: 'false' }).statsd).toBe(false)
    expect(resolveOptions({}, {}).statsd).toBe(true)
  })
})
