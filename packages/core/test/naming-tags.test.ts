import { describe, expect, it } from 'vitest'
import { createCaptureMeter } from '../src/testing'

async function linesFor(
  options: Parameters<typeof createCaptureMeter>[0],
  record: (c: ReturnType<typeof createCaptureMeter>) => void,
) {
  const capture = createCaptureMeter(options)
  record(capture)
  await capture.meter.flush()
  return capture.lines()
}

describe('tag style naming, byte for byte', () => {
  it('DogStatsD: fixed names, route/method/status tags last, global tags first', async () => {
    const lines = await linesFor({ globalTags: { service: 'shop' } }, ({ meter }) => {
      meter.route('/users/:id').record('GET', 200, 12.5)
      meter.route('/users/:id').record('GET', 200, 7)
    })
    expect(lines).toEqual([
      'http.server.requests:2|c|#service:shop,route:/users/:id,method:GET,status_code:200,status_class:2xx',
      'http.server.duration:12.5|ms|#service:shop,route:/users/:id,method:GET,status_code:200,status_class:2xx',
      'http.server.duration:7|ms|#service:shop,route:/users/:id,method:GET,status_code:200,status_class:2xx',
    ])
  })

  it('Telegraf: tags in the name part, ":" kept out of tag values', async () => {
    const lines = await linesFor({ tagFormat: 'telegraf', prefix: 'api' }, ({ meter }) => {
      meter.route('/users/:id').record('POST', 503, 1)
    })
    expect(lines).toEqual([
      'api.http.server.requests,route=/users/_id,method=POST,status_code=503,status_class=5xx:1|c',
      'api.http.server.duration,route=/users/_id,method=POST,status_code=503,status_class=5xx:1|ms',
    ])
  })

  it('unmatched requests carry all four tags with route "unmatched", never the raw path', async () => {
    const lines = await linesFor({}, ({ meter }) => {
      meter.recordRequest({ route: undefined, method: 'GET', statusCode: 404, durationMs: 1 })
    })
    expect(lines[0]).toBe(
      'http.server.requests:1|c|#route:unmatched,method:GET,status_code:404,status_class:4xx',
    )
  })

  it('methods outside the standard set become _OTHER', async () => {
    const capture = createCaptureMeter({})
    capture.meter.route('/').record('FOO', 200, 1)
    capture.meter.route('/').record('PROPFIND', 200, 1)
    capture.meter.route('/').record('get', 200, 1)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests', { method: '_OTHER' })).toBe(2)
    expect(capture.counter('http.server.requests', { method: 'GET' })).toBe(1)
  })

  it('execution timers are named as given and tagged with route and method', async () => {
    const capture = createCaptureMeter({ prefix: 'shop' })
    const stop = capture.meter.route('/users/:id').scope('GET').timer('db.query')
    stop()
    await capture.meter.flush()
    expect(capture.lines()).toHaveLength(1)
    expect(capture.lines()[0]).toMatch(
      /^shop\.db\.query:[\d.]+\|ms\|#route:\/users\/:id,method:GET$/,
    )
  })

  it('user metrics: prefix.name, tags after the type, sample rate before tags', async () => {
    const lines = await linesFor(
      { prefix: 'p', sampleRate: 0.999999, globalTags: { env: 'prod' } },
      ({ meter }) => {
        meter.increment('jobs.done', 3, { queue: 'mail' })
      },
    )
    expect(lines).toEqual(['p.jobs.done:3|c|#env:prod,queue:mail'])
  })

  it('names the Etsy daemon cannot hold (Object.prototype keys) get a trailing underscore', async () => {
    const capture = createCaptureMeter({})
    for (const name of ['constructor', '__proto__', 'toString', 'constructor.count'])
      capture.meter.increment(name)
    await capture.meter.flush()
    expect(capture.lines()).toEqual([
      'constructor_:1|c',
      '__proto___:1|c',
      'toString_:1|c',
      'constructor.count:1|c',
    ])
  })

  it('a custom naming function is called once per series and sanitised', async () => {
    let calls = 0
    const capture = createCaptureMeter({
      naming: {
        requestCounter: (s) => {
          calls++
          return { name: `reqs.${s.statusClass}`, tags: { r: s.route } }
        },
        requestTimer: (s) => ({ name: `lat ${s.method}` }),
      },
    })
    for (let i = 0; i < 5; i++) capture.meter.route('/a').record('GET', 201, 2)
    await capture.meter.flush()
    expect(calls).toBe(1)
    expect(capture.lines()[0]).toBe('reqs.2xx:5|c|#r:/a')
    expect(capture.lines()[1]).toBe('lat_GET:2|ms')
  })

  it('a throwing custom naming function falls back to tag style; the request is still counted', async () => {
    const warnings: string[] = []
    const capture = createCaptureMeter({
      logger: { warn: (m) => warnings.push(m) },
      naming: {
        requestCounter: () => {
          throw new Error('boom')
        },
        requestTimer: () => ({ name: 'lat' }),
      },
    })
    capture.meter.route('/a').record('GET', 200, 1)
    await capture.meter.flush()
    expect(capture.counter('http.server.requests', { route: '/a' })).toBe(1)
    expect(warnings.join()).toContain('custom naming threw: boom')
  })
})
