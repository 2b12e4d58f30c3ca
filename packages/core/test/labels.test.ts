import { settledMemory } from '@routemeter/test-support'
import { describe, expect, it } from 'vitest'
import { setUpAdapter } from '../src/adapter'
import { resolveOptions } from '../src/config/options'
import {
  createMeter,
  LABEL_ERROR,
  LABEL_NONE,
  LABEL_OTHER,
  RoutemeterOptionError,
} from '../src/index'
import { createCaptureMeter } from '../src/testing'

interface FakeRequest {
  readonly tenant?: unknown
  readonly plan?: string
}

const noEnv = {}
const tenant = (request: FakeRequest) => request.tenant as string | undefined

/** Records one finished request carrying `request` as the framework's request object. */
function end(capture: ReturnType<typeof createCaptureMeter>, request: FakeRequest, route = '/a') {
  const meter = capture.meter
  meter.requestEnded(meter.route(route), 'GET', 200, meter.requestStarted(), undefined, request)
}

describe('request labels: tags on the request metrics', () => {
  it('DogStatsD: the label is the last tag of the counter and the timer, byte for byte', async () => {
    const capture = createCaptureMeter({ labels: { tenant }, globalTags: { service: 'shop' } })
    end(capture, { tenant: 'acme' })
    end(capture, { tenant: 'acme' })
    end(capture, { tenant: 'globex' })
    await capture.meter.flush()
    const lines = capture
      .lines()
      .filter((line) => !line.startsWith('http.server.active_requests'))
      .map((line) => line.replace(/:[\d.]+\|ms/, ':<ms>|ms'))
    expect(lines).toEqual([
      'http.server.requests:2|c|#service:shop,route:/a,method:GET,status_code:200,status_class:2xx,tenant:acme',
      'http.server.duration:<ms>|ms|#service:shop,route:/a,method:GET,status_code:200,status_class:2xx,tenant:acme',
      'http.server.duration:<ms>|ms|#service:shop,route:/a,method:GET,status_code:200,status_class:2xx,tenant:acme',
      'http.server.requests:1|c|#service:shop,route:/a,method:GET,status_code:200,status_class:2xx,tenant:globex',
      'http.server.duration:<ms>|ms|#service:shop,route:/a,method:GET,status_code:200,status_class:2xx,tenant:globex',
    ])
  })

  it('Telegraf: the label is a tag in the name part, sanitised for it', async () => {
    const capture = createCaptureMeter({ labels: { tenant }, tagFormat: 'telegraf' })
    end(capture, { tenant: 'a,b=c d' })
    await capture.meter.flush()
    expect(capture.lines()[0]).toBe(
      'http.server.requests,route=/a,method=GET,status_code=200,status_class=2xx,tenant=a_b_c_d:1|c',
    )
  })

  it('undefined and "" are _none, so every series of the metric carries the same tag keys', async () => {
    const capture = createCaptureMeter({ labels: { tenant } })
    end(capture, {})
    end(capture, { tenant: '' })
    await capture.meter.flush()
    expect(capture.counter('http.server.requests', { tenant: LABEL_NONE })).toBe(2)
    expect(capture.meter.stats().faults).toEqual({})
  })

  it('a throwing function, a Promise or a non-string: the request is recorded under _error, the fault counted and logged once', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({
      logger: { warn: (message) => warnings.push(message) },
      labels: {
        tenant(request: FakeRequest) {
          if (request.tenant === 'throw') throw new Error('no tenant header')
          return request.tenant as string
        },
      },
    })
    let rejectionsUnhandled = 0
    const onUnhandled = () => rejectionsUnhandled++
    process.on('unhandledRejection', onUnhandled)
    try {
      end(capture, { tenant: 'throw' })
      end(capture, { tenant: Promise.reject(new Error('async label')) })
      end(capture, { tenant: 42 })
      end(capture, { tenant: null })
      await capture.meter.flush()
      await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(rejectionsUnhandled).toBe(0)
    expect(capture.counter('http.server.requests', { tenant: LABEL_ERROR })).toBe(4)
    expect(capture.meter.stats().faults).toEqual({ label: 4 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/label "tenant" threw: no tenant header; recorded as _error/)
  })

  it('maxLabelValues: values beyond the cap are _other, counted in overflowed, logged once', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({
      labels: { tenant },
      maxLabelValues: 3,
      logger: { warn: (message) => warnings.push(message) },
    })
    for (const name of ['a', 'b', 'c', 'd', 'e', 'a', 'f']) end(capture, { tenant: name })
    await capture.meter.flush()
    for (const name of ['a', 'b', 'c']) {
      expect(capture.counter('http.server.requests', { tenant: name })).toBe(name === 'a' ? 2 : 1)
    }
    expect(capture.counter('http.server.requests', { tenant: LABEL_OTHER })).toBe(3)
    expect(capture.meter.stats().overflowed).toBe(3)
    expect(capture.meter.stats().faults).toEqual({ 'label-cap': 3 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/label "tenant" has 3 distinct values \(maxLabelValues\)/)
  })

  it('two labels: each capped on its own; the series are the combinations seen', async () => {
    const capture = createCaptureMeter({
      labels: { tenant, plan: (request: FakeRequest) => request.plan },
    })
    end(capture, { tenant: 'acme', plan: 'pro' })
    end(capture, { tenant: 'acme', plan: 'free' })
    end(capture, { tenant: 'acme', plan: 'pro' })
    await capture.meter.flush()
    expect(capture.counter('http.server.requests', { tenant: 'acme', plan: 'pro' })).toBe(2)
    expect(capture.counter('http.server.requests', { tenant: 'acme', plan: 'free' })).toBe(1)
    // The two combinations, and the active-requests gauge.
    expect(capture.meter.stats().series).toBe(3)
  })

  it('custom naming gets the values in RequestSeriesInfo.labels; its tag-style fallback keeps them', async () => {
    const seen: Array<Readonly<Record<string, string>> | undefined> = []
    const capture = createCaptureMeter({
      labels: { tenant },
      naming: {
        requestCounter: (s) => {
          seen.push(s.labels)
          return { name: `requests.${s.labels?.tenant}` }
        },
        requestTimer: () => {
          throw new Error('falls back')
        },
      },
      logger: { warn() {} },
    })
    end(capture, { tenant: 'acme' })
    await capture.meter.flush()
    expect(seen).toEqual([{ tenant: 'acme' }])
    expect(capture.counter('requests.acme')).toBe(1)
    expect(capture.find('http.server.duration', { tenant: 'acme' })).toHaveLength(1)
  })

  it('the series cap holds and the variants stay bounded whatever the product of label caps', async () => {
    const capture = createCaptureMeter({
      labels: { tenant, plan: (request: FakeRequest) => request.plan },
      maxLabelValues: 1000,
      maxSeries: 50,
      logger: { warn() {} },
    })
    let total = 0
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < 20; j++) {
        end(capture, { tenant: `t${i}`, plan: `p${j}` }, `/r${j % 3}`)
        total++
      }
    }
    await capture.meter.flush()
    const stats = capture.meter.stats()
    // 50 series, the overflow bucket's one series (all labels `_other`), the active-requests gauge.
    expect(stats.series).toBe(52)
    expect(capture.counter('http.server.requests')).toBe(total)
    const overflowLines = capture.find('http.server.requests', { route: 'overflow' })
    expect(overflowLines).toHaveLength(1)
    expect(overflowLines[0]?.tags).toMatchObject({ tenant: LABEL_OTHER, plan: LABEL_OTHER })
    expect(stats.overflowed).toBeGreaterThanOrEqual(total - 50)
  })
})

describe('request labels: memory', () => {
  it('stays flat once the label caps and the series cap are reached, whatever values keep coming', async () => {
    const capture = createCaptureMeter({
      labels: { tenant, plan: (request: FakeRequest) => request.plan },
      maxLabelValues: 1000,
      maxSeries: 1000,
      logger: { warn() {} },
    })
    const load = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        // Past the first 1000, each (tenant, plan) pair is new though both values are known:
        // 1000 × 1000 combinations within the label caps.
        const plan = i < 1000 ? i : Math.floor(i / 1000) % 1000
        end(capture, { tenant: `tenant-${i % 1000}`, plan: `plan-${plan}` }, `/r${i % 7}`)
        if (i % 10_000 === 0) {
          await capture.meter.flush()
          capture.clear()
        }
      }
      await capture.meter.flush()
      capture.clear()
    }
    await load(0, 20_000)
    const before = settledMemory()
    await load(20_000, 200_000)
    const after = settledMemory()
    const stats = capture.meter.stats()
    expect(stats.series).toBeLessThanOrEqual(1000 + 7 * 16 + 1)
    // 200 000 new combinations: none is kept (each would take more than 100 bytes).
    expect(after.heapUsed - before.heapUsed).toBeLessThan(before.collected ? 2_000_000 : 20_000_000)
  }, 60_000)
})

describe('request labels: options', () => {
  it('maxLabelValues defaults to 100, reads STATSD_MAX_LABEL_VALUES and is validated', () => {
    expect(resolveOptions({}, noEnv).maxLabelValues).toBe(100)
    expect(resolveOptions({}, { STATSD_MAX_LABEL_VALUES: '7' }).maxLabelValues).toBe(7)
    expect(() => resolveOptions({ maxLabelValues: 0 }, noEnv)).toThrow(
      /invalid option "maxLabelValues": received 0; expected an integer from 1 to 100000/,
    )
    expect(() => resolveOptions({}, { STATSD_MAX_LABEL_VALUES: 'many' })).toThrow(
      /"maxLabelValues": received "many" \(from STATSD_MAX_LABEL_VALUES\)/,
    )
  })

  it.each([
    [{ Tenant: tenant }, /received "Tenant"; expected label names of lower-case letters/],
    [{ 'http.route': tenant }, /received "http.route"; expected label names/],
    [
      { route: tenant },
      /"labels.route": received "route"; expected a name other than the request tags/,
    ],
    [{ status_class: tenant }, /"labels.status_class"/],
    [{ http_route: tenant }, /"labels.http_route".*OpenTelemetry attribute key/],
    [{ tenant: 'x-tenant' }, /"labels.tenant": received "x-tenant"; expected a function/],
  ])('rejects bad labels at start-up: %o', (labels, message) => {
    const bad = { labels } as unknown as Parameters<typeof resolveOptions>[0]
    expect(() => resolveOptions(bad, noEnv)).toThrow(RoutemeterOptionError)
    expect(() => resolveOptions(bad, noEnv)).toThrow(message)
  })

  it('a label named like a global tag is rejected (it would replace the tag)', () => {
    expect(() =>
      resolveOptions({ labels: { team: tenant }, globalTags: { team: 'core' } }, noEnv),
    ).toThrow(/"labels.team": received "team"; expected a name other than a globalTags key/)
  })

  it('path naming rejects labels at start-up: dotted names have no tags', () => {
    expect(() => resolveOptions({ labels: { tenant }, naming: 'path' }, noEnv)).toThrow(
      /invalid option "labels".*no labels with naming "path"/,
    )
    expect(() => resolveOptions({ labels: { tenant } }, { STATSD_NAMING: 'path' })).toThrow(
      RoutemeterOptionError,
    )
  })

  it('with a shared meter, labels given to the adapter fail with where they belong', () => {
    const meter = createMeter({ enabled: false })
    expect(() => setUpAdapter({ meter, labels: { tenant } })).toThrow(
      /invalid option "labels".*labels in createMeter\(\{ labels \}\) when a meter is shared/,
    )
  })
})
