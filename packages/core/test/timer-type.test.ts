import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/config/options'
import { RoutemeterOptionError } from '../src/index'
import { createCaptureMeter } from '../src/testing'

/** Lines of one flush, durations replaced by `<v>` (they are measured). */
async function linesWith(options: Parameters<typeof createCaptureMeter>[0]): Promise<string[]> {
  const capture = createCaptureMeter({ ...options, bodySizes: true })
  const { meter } = capture
  meter.route('/users/:id').record('GET', 200, 12.5)
  meter.route('/users/:id').record('GET', 200, 7)
  meter.route('/users/:id').scope('GET').timer('db.query')()
  meter.timing('cache.load', 3)
  meter.time('work', () => 1)
  meter.histogram('queue.depth', 4)
  await meter.flush()
  return capture
    .lines()
    .filter((line) => !line.startsWith('http.server.active_requests'))
    .map((line) => line.replace(/^(db\.query|work):[\d.]+/, '$1:<v>'))
}

describe('timerType: what durations (and body sizes) go out as', () => {
  it('ms (default): StatsD timers', async () => {
    const lines = await linesWith({})
    expect(lines).toContain(
      'http.server.duration:12.5|ms|#route:/users/:id,method:GET,status_code:200,status_class:2xx',
    )
    expect(lines).toContain('db.query:<v>|ms|#route:/users/:id,method:GET')
    expect(lines).toContain('cache.load:3|ms')
    expect(lines).toContain('work:<v>|ms')
    expect(lines).toContain('queue.depth:4|h')
  })

  it('h: request durations, execution timers, timing/timer/time as DogStatsD histograms; histogram() unchanged', async () => {
    const lines = await linesWith({ timerType: 'h' })
    expect(lines).toContain(
      'http.server.duration:12.5|h|#route:/users/:id,method:GET,status_code:200,status_class:2xx',
    )
    expect(lines).toContain('db.query:<v>|h|#route:/users/:id,method:GET')
    expect(lines).toContain('cache.load:3|h')
    expect(lines).toContain('work:<v>|h')
    expect(lines).toContain('queue.depth:4|h')
    expect(lines.filter((line) => line.includes('|ms'))).toEqual([])
  })

  it('d with packValues: distributions, several values per line for the fewest datagrams', async () => {
    const lines = await linesWith({ timerType: 'd', packValues: true })
    expect(lines).toContain(
      'http.server.duration:12.5:7|d|#route:/users/:id,method:GET,status_code:200,status_class:2xx',
    )
    expect(lines).toContain('db.query:<v>|d|#route:/users/:id,method:GET')
    expect(lines.filter((line) => line.includes('|ms'))).toEqual([])
  })

  it('the sample rate stays before the tags', async () => {
    const capture = createCaptureMeter({ timerType: 'd', sampleRate: 0.5 })
    for (let i = 0; i < 200; i++) capture.meter.route('/a').record('GET', 200, 1)
    await capture.meter.flush()
    const duration = capture.lines().find((line) => line.startsWith('http.server.duration'))
    expect(duration).toBe(
      'http.server.duration:1|d|@0.5|#route:/a,method:GET,status_code:200,status_class:2xx',
    )
  })
})

describe('timerType: option', () => {
  it('defaults to ms and reads STATSD_TIMER_TYPE (any case)', () => {
    expect(resolveOptions({}, {}).timerType).toBe('ms')
    expect(resolveOptions({}, { STATSD_TIMER_TYPE: 'D' }).timerType).toBe('d')
  })

  it('anything else fails at start-up naming the option and the allowed values', () => {
    expect(() => resolveOptions({ timerType: 'histogram' as 'h' }, {})).toThrow(
      /invalid option "timerType": received "histogram"; expected one of "ms", "h", "d"/,
    )
    expect(() => resolveOptions({}, { STATSD_TIMER_TYPE: 'x' })).toThrow(RoutemeterOptionError)
  })

  it('d with Telegraf tags is rejected: Telegraf reads |d only with its DogStatsD extensions', () => {
    expect(() => resolveOptions({ timerType: 'd', tagFormat: 'telegraf' }, {})).toThrow(
      /invalid option "timerType": received "d"; expected "ms" or "h" with tagFormat "telegraf"/,
    )
    expect(() =>
      resolveOptions({}, { STATSD_TIMER_TYPE: 'd', STATSD_TAG_FORMAT: 'telegraf' }),
    ).toThrow(RoutemeterOptionError)
    expect(resolveOptions({ timerType: 'h', tagFormat: 'telegraf' }, {}).timerType).toBe('h')
  })
})
