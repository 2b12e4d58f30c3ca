import { describe, expect, it } from 'vitest'
import { createMeter, RoutemeterOptionError } from '../src/index'
import { createCaptureMeter } from '../src/testing'

/**
 * close() waits, up to `closeWaitMs`, for the requests in flight to end, so that requests
 * ending during shutdown (their connections force-closed: 499) are in the final flush.
 */
describe('close() waits for requests in flight', () => {
  it('a request that ends while close() waits is in the final flush', async () => {
    const capture = createCaptureMeter({ flushIntervalMs: 3_600_000 })
    const meter = capture.meter
    const route = meter.route('/slow/:id')
    const startedAt = meter.requestStarted()
    let closed = false
    const closing = meter.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(closed).toBe(false)
    expect(meter.stats().closed).toBe(true)

    meter.requestEnded(route, 'GET', 499, startedAt)
    await closing
    expect(
      capture.counter('http.server.requests', { route: '/slow/:id', status_code: '499' }),
    ).toBe(1)
    expect(capture.gauge('http.server.active_requests')).toBe(0)
  })

  it('no request in flight: close() does not wait at all', async () => {
    const capture = createCaptureMeter({ flushIntervalMs: 3_600_000, closeWaitMs: 600_000 })
    capture.meter.requestEnded(
      capture.meter.route('/a'),
      'GET',
      200,
      capture.meter.requestStarted(),
    )
    await capture.meter.close()
    expect(capture.counter('http.server.requests')).toBe(1)
  })

  it('a request that never ends: close() gives up after closeWaitMs, and its late end records nothing', async () => {
    const capture = createCaptureMeter({ flushIntervalMs: 3_600_000, closeWaitMs: 50 })
    const meter = capture.meter
    meter.requestEnded(meter.route('/done'), 'GET', 200, meter.requestStarted())
    const hung = meter.requestStarted()
    await meter.close()
    expect(capture.counter('http.server.requests')).toBe(1)
    expect(capture.gauge('http.server.active_requests')).toBe(1)

    const lines = capture.lines().length
    meter.requestEnded(meter.route('/hung'), 'GET', 499, hung)
    await meter.flush()
    expect(capture.lines()).toHaveLength(lines)
    expect(meter.stats().activeRequests).toBe(0)
  })

  it('closeWaitMs: 0 closes at once, even with a request in flight', async () => {
    const capture = createCaptureMeter({ flushIntervalMs: 3_600_000, closeWaitMs: 0 })
    const startedAt = capture.meter.requestStarted()
    await capture.meter.close()
    capture.meter.requestEnded(capture.meter.route('/late'), 'GET', 499, startedAt)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests')).toBe(0)
  })

  // Below and above the 2 000 ms default. No clock is read: Node fires timers in the order
  // they fall due, and these are all set in the same turn as close()'s own bound.
  for (const closeWaitMs of [300, 2_100]) {
    it(`closeWaitMs ${closeWaitMs}: a request ending 50 ms before it is in the final flush, one ending 50 ms after it is not`, async () => {
      const capture = createCaptureMeter({ flushIntervalMs: 3_600_000, closeWaitMs })
      const meter = capture.meter
      const before = meter.requestStarted()
      const after = meter.requestStarted()
      const endsLate = new Promise<void>((resolve) => {
        setTimeout(
          () => meter.requestEnded(meter.route('/before'), 'GET', 499, before),
          closeWaitMs - 50,
        )
        setTimeout(() => {
          meter.requestEnded(meter.route('/after'), 'GET', 499, after)
          resolve()
        }, closeWaitMs + 50)
      })
      let closedFirst = false
      const closing = meter.close().then(() => {
        closedFirst = true
      })
      await endsLate
      // close() gave up at its bound, before the late request ended.
      expect(closedFirst).toBe(true)
      await closing
      await meter.flush()
      expect(capture.counter('http.server.requests', { route: '/before' })).toBe(1)
      expect(capture.counter('http.server.requests', { route: '/after' })).toBe(0)
    })
  }

  it.each([-1, 1.5, 600_001, '2000', null, Number.NaN])(
    'closeWaitMs %s fails at startup, naming the option and what is allowed',
    (value) => {
      const create = () => createMeter({ enabled: false, closeWaitMs: value as never })
      expect(create).toThrow(RoutemeterOptionError)
      expect(create).toThrow(/closeWaitMs.*an integer from 0 to 600000/s)
    },
  )
})
