import { StatsD } from 'hot-shots'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeter } from '../src/index'
import { createCaptureMeter, type StatsdReceiver, startStatsdReceiver } from '../src/testing'

describe('timers', () => {
  it('timer() returns a stopper that records once and reports elapsed ms', async () => {
    const capture = createCaptureMeter({})
    const stop = capture.meter.timer('work', { kind: 'a' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const elapsed = stop()
    expect(stop()).toBe(elapsed)
    await capture.meter.flush()
    const values = capture.timings('work', { kind: 'a' })
    expect(values).toHaveLength(1)
    expect(values[0]).toBeGreaterThan(0)
  })

  it('a stopper is disposable: `using` records at scope exit', async () => {
    const capture = createCaptureMeter({})
    {
      const stop = capture.meter.timer('scoped')
      stop[Symbol.dispose]()
      stop[Symbol.dispose]()
    }
    await capture.meter.flush()
    expect(capture.timings('scoped')).toHaveLength(1)
  })

  it('time() records sync results, sync throws, resolutions and rejections', async () => {
    const capture = createCaptureMeter({})
    const meter = capture.meter
    expect(meter.time('sync', () => 42)).toBe(42)
    expect(() =>
      meter.time('throws', () => {
        throw new Error('x')
      }),
    ).toThrow('x')
    await expect(meter.time('async', async () => 'ok')).resolves.toBe('ok')
    await expect(
      meter.time('rejects', async () => Promise.reject(new Error('no'))),
    ).rejects.toThrow('no')
    await meter.flush()
    for (const name of ['sync', 'throws', 'async', 'rejects'])
      expect(capture.timings(name)).toHaveLength(1)
  })

  it('route-scoped time() and timer() share the route and method tags', async () => {
    const capture = createCaptureMeter({})
    const scope = capture.meter.route('/a/:b').scope('DELETE')
    await scope.time('db', async () => {})
    scope.timer('db')()
    await capture.meter.flush()
    expect(capture.timings('db', { route: '/a/:b', method: 'DELETE' })).toHaveLength(2)
  })
})

describe('saturation', () => {
  it('active requests are reported as a gauge on each flush', async () => {
    const capture = createCaptureMeter({})
    const meter = capture.meter
    const a = meter.requestStarted()
    meter.requestStarted()
    meter.requestStarted()
    meter.requestEnded(meter.route('/'), 'GET', 200, a)
    expect(meter.stats().activeRequests).toBe(2)
    await meter.flush()
    expect(capture.gauge('http.server.active_requests')).toBe(2)
  })

  it('processMetrics adds event-loop and memory gauges', async () => {
    const capture = createCaptureMeter({ processMetrics: true })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await capture.meter.flush()
    const names = new Set(capture.samples().map((s) => s.name))
    for (const name of [
      'process.event_loop.delay_p50_ms',
      'process.event_loop.delay_p99_ms',
      'process.event_loop.delay_max_ms',
      'process.event_loop.utilization',
      'process.memory.heap_used_bytes',
      'process.memory.rss_bytes',
    ]) {
      expect(names).toContain(name)
    }
    expect(capture.gauge('process.memory.rss_bytes')).toBeGreaterThan(1_000_000)
    await capture.meter.close()
  })
})

describe('lifecycle', () => {
  let receiver: StatsdReceiver
  afterEach(() => receiver?.close())

  it('flushes on the interval', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ port: receiver.port, flushIntervalMs: 20 })
    meter.increment('tick')
    await receiver.waitFor((r) => r.counter('tick') === 1)
    await meter.close()
  })

  it('close() flushes everything, is idempotent, and recording after close is a no-op', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ port: receiver.port, flushIntervalMs: 3_600_000 })
    for (let i = 0; i < 250; i++) meter.route('/x').record('GET', 200, i)
    const first = meter.close()
    const second = meter.close()
    expect(second).toBe(first)
    await first
    await receiver.waitFor(
      (r) =>
        r.counter('http.server.requests') === 250 &&
        r.timings('http.server.duration').length === 250,
    )
    expect(() => {
      meter.increment('late')
      meter.route('/x').record('GET', 200, 1)
      meter.timer('late')()
    }).not.toThrow()
    await meter.flush()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(receiver.counter('late')).toBe(0)
    expect(meter.stats().closed).toBe(true)
  })

  it('a disabled meter has the same API, sends nothing and opens no socket', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ port: receiver.port, enabled: false })
    meter.increment('x')
    meter.route('/').record('GET', 200, 1)
    meter.route('/').scope('GET').timer('t')()
    expect(meter.time('t', () => 1)).toBe(1)
    await meter.flush()
    await meter.close()
    expect(meter.client).toBeUndefined()
    expect(receiver.lines()).toEqual([])
    expect(meter.stats().enabled).toBe(false)
  })

  it('a user-supplied hot-shots client carries the payloads and is left open on close', async () => {
    receiver = await startStatsdReceiver()
    const client = new StatsD({ host: '127.0.0.1', port: receiver.port })
    const meter = createMeter({ client })
    expect(meter.client).toBe(client)
    meter.increment('mine')
    await meter.close()
    await receiver.waitFor((r) => r.counter('mine') === 1)
    // Still usable by its owner.
    client.increment('theirs')
    await receiver.waitFor((r) => r.counter('theirs') === 1)
    await new Promise<void>((resolve) => client.close(() => resolve()))
  })

  it('the hot-shots client is exposed for direct use', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ port: receiver.port })
    meter.client?.increment('direct')
    await receiver.waitFor((r) => r.counter('direct') === 1)
    await meter.close()
  })

  it("a client with its own prefix and global tags: routemeter's lines go out without them, and a warning says so once", async () => {
    receiver = await startStatsdReceiver()
    const client = new StatsD({
      host: '127.0.0.1',
      port: receiver.port,
      prefix: 'theirs.',
      globalTags: { team: 'a' },
    })
    const warnings: string[] = []
    const meter = createMeter({ client, prefix: 'ours', logger: { warn: (m) => warnings.push(m) } })
    meter.increment('jobs')
    await meter.close()
    await receiver.waitFor((r) => r.lines().length === 1)
    expect(receiver.lines()).toEqual(['ours.jobs:1|c'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('prefix "theirs."')
    expect(warnings[0]).toContain('team:a')
    await new Promise<void>((resolve) => client.close(() => resolve()))
  })
})
