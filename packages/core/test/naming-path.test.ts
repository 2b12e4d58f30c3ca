import { describe, expect, it } from 'vitest'
import { routeToPathSegments } from '../src/index'
import { createCaptureMeter } from '../src/testing'

describe('path style naming, byte for byte', () => {
  it('counters.<route>.<METHOD>.<status> and timers.<route>.<METHOD>.<status> under the prefix', async () => {
    const capture = createCaptureMeter({ naming: 'path', service: 'shop', environment: 'prod' })
    capture.meter.route('/api/v1/users/:id').record('GET', 200, 3.25)
    await capture.meter.flush()
    expect(capture.lines()).toEqual([
      'applications.shop.prod.counters.api.v1.users._id.GET.200:1|c',
      'applications.shop.prod.timers.api.v1.users._id.GET.200:3.25|ms',
    ])
  })

  it('root is _root, unmatched is _unmatched, no prefix when none is configured', async () => {
    const capture = createCaptureMeter({ naming: 'path' })
    capture.meter.route('/').record('HEAD', 204, 1)
    capture.meter.unmatched.record('GET', 404, 1)
    await capture.meter.flush()
    expect(capture.lines()).toEqual([
      'counters._root.HEAD.204:1|c',
      'timers._root.HEAD.204:1|ms',
      'counters._unmatched.GET.404:1|c',
      'timers._unmatched.GET.404:1|ms',
    ])
  })

  it('execution timers sit under the route path', async () => {
    const capture = createCaptureMeter({ naming: 'path', prefix: 'svc' })
    capture.meter.route('/orders/:id').scope('PUT').timer('db.query')()
    await capture.meter.flush()
    expect(capture.lines()[0]).toMatch(/^svc\.timers\.orders\._id\.PUT\.db\.query:[\d.]+\|ms$/)
  })

  it('active requests gauge goes under gauges.', async () => {
    const capture = createCaptureMeter({ naming: 'path', prefix: 'svc' })
    const started = capture.meter.requestStarted()
    capture.meter.requestStarted()
    capture.meter.requestEnded(capture.meter.route('/x'), 'GET', 200, started)
    await capture.meter.flush()
    expect(capture.lines()).toContain('svc.gauges.http.server.active_requests:1|g')
  })
})

describe('route template → path segments (documented mapping)', () => {
  it.each([
    ['/', '_root'],
    ['', '_root'],
    ['/users', 'users'],
    ['/users/:id', 'users._id'],
    ['/api/v1/users/:id/orders', 'api.v1.users._id.orders'],
    ['/files/*', 'files._'],
    ['/files/*splat', 'files._splat'],
    ['/users{/:id}', 'users_._id_'],
    ['/report.json', 'report_json'],
    ['//double//slash/', 'double.slash'],
    ['/é/ü', '_._'],
    ['/a b/c\nd', 'a_b.c_d'],
    ['/kebab-case/snake_case', 'kebab-case.snake_case'],
  ])('%j → %s', (template, expected) => {
    expect(routeToPathSegments(template)).toBe(expected)
    expect(expected).toMatch(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
  })
})
