import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMeter, type TagFormat } from '../src/index'
import {
  createCaptureMeter,
  parseStatsdLine,
  type StatsdDaemon,
  startStatsdDaemon,
} from '../src/testing'

// Strings built to hit every separator of the wire formats, plus arbitrary unicode.
const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\n',
      '\r',
      '|',
      ':',
      '#',
      ',',
      '@',
      '=',
      ';',
      ' ',
      '/',
      '.',
      'a',
      'é',
      '\u0000',
    ),
    maxLength: 30,
  }),
  fc.string({ unit: 'binary', maxLength: 30 }),
)
const tagObject = fc.dictionary(hostile, hostile, { maxKeys: 4 })

// A tag key: lower-case, not starting with a digit, dots only between other characters.
const KEY = String.raw`(?![0-9])[a-z0-9_]+(?:\.[a-z0-9_]+)*`
const LINE_SHAPE: Record<TagFormat, RegExp> = {
  // name:value|type[|@rate][|#k:v,...] with nothing else.
  dogstatsd: new RegExp(
    String.raw`^[A-Za-z0-9_.-]+:[^|:\n]+\|(c|ms|g|s|h|d)(\|@[\d.]+)?(\|#${KEY}:[A-Za-z0-9_./:-]+(,${KEY}:[A-Za-z0-9_./:-]+)*)?$`,
  ),
  // name[,k=v...]:value|type[|@rate]
  telegraf: new RegExp(
    String.raw`^[A-Za-z0-9_.-]+(,${KEY}=[A-Za-z0-9_./-]+)*:[^|:\n]+\|(c|ms|g|s|h|d)(\|@[\d.]+)?$`,
  ),
}

function recordHostile(
  meter: ReturnType<typeof createCaptureMeter>['meter'],
  input: {
    name: string
    tags: Record<string, string>
    route: string
    method: string
    member: string
  },
): number {
  meter.increment(input.name, 1, input.tags)
  meter.timing(input.name, 5, input.tags)
  meter.gauge(input.name, 3, input.tags)
  meter.set(input.name, input.member, input.tags)
  meter.route(input.route).record(input.method, 200, 1)
  meter.route(input.route).scope(input.method).timer(input.name, input.tags)()
  // Lines those calls produce: otel naming sends no request counter.
  return meter.options.naming === 'otel' ? 6 : 7
}

/** The attribute keys of an otel request duration, as they must reach the wire: dots kept. */
const OTEL_REQUEST_KEYS = [
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'error.type',
]

describe.each(['dogstatsd', 'telegraf'] as const)(
  'sanitising (%s): no input adds a line, field or tag',
  (tagFormat) => {
    it('every recorded value becomes exactly one well-formed line with only the expected tags', async () => {
      await fc.assert(
        fc.asyncProperty(
          hostile,
          tagObject,
          hostile,
          hostile,
          hostile,
          hostile,
          async (name, tags, route, method, member, globalValue) => {
            const capture = createCaptureMeter({ tagFormat, globalTags: { g: globalValue } })
            const expectedLines = recordHostile(capture.meter, {
              name,
              tags,
              route,
              method,
              member,
            })
            await capture.meter.flush()
            const lines = capture.lines()
            expect(lines).toHaveLength(expectedLines)
            for (const line of lines) {
              expect(line).toMatch(LINE_SHAPE[tagFormat])
              const sample = parseStatsdLine(line)
              // Tags: the global one, at most the user's distinct keys, and the request tags.
              expect(Object.keys(sample.tags).length).toBeLessThanOrEqual(
                1 + Object.keys(tags).length + 4,
              )
              expect(sample.values).toHaveLength(1)
            }
            const request = capture.find('http.server.requests')
            expect(request).toHaveLength(1)
            expect(Object.keys(request[0]?.tags ?? {}).sort()).toEqual([
              'g',
              'method',
              'route',
              'status_class',
              'status_code',
            ])
          },
        ),
        { numRuns: 300 },
      )
    })

    it('very long input (1 MB) is cut to the documented limits and still fits a datagram', async () => {
      const huge = 'x|\n:'.repeat(256 * 1024)
      const capture = createCaptureMeter({ tagFormat, maxBufferSize: 1432 })
      capture.meter.increment(huge, 1, { [huge]: huge })
      capture.meter.route(huge).record(huge, 200, 1)
      await capture.meter.flush()
      expect(capture.lines()).toHaveLength(3)
      for (const payload of capture.payloads) expect(payload.length).toBeLessThanOrEqual(1432)
      for (const line of capture.lines()) expect(line).toMatch(LINE_SHAPE[tagFormat])
    })
  },
)

describe.each(['dogstatsd', 'telegraf'] as const)(
  'otel naming (%s): dotted keys reach the wire intact, hostile input adds nothing',
  (tagFormat) => {
    it('every line is well-formed; request durations carry exactly the OpenTelemetry keys', async () => {
      await fc.assert(
        fc.asyncProperty(
          hostile,
          tagObject,
          hostile,
          hostile,
          hostile,
          fc.constantFrom(200, 404, 500, 503, 499),
          async (name, tags, route, method, member, status) => {
            const capture = createCaptureMeter({ tagFormat, naming: 'otel', globalTags: { g: 1 } })
            const expectedLines = recordHostile(capture.meter, {
              name,
              tags,
              route,
              method,
              member,
            })
            capture.meter.route(route).record(method, status, 2)
            await capture.meter.flush()
            const lines = capture.lines()
            for (const line of lines) expect(line).toMatch(LINE_SHAPE[tagFormat])
            const durations = capture.find('http.server.request.duration')
            // One line per request recorded: no counter, every duration sent.
            expect(durations).toHaveLength(2)
            expect(lines).toHaveLength(expectedLines + 1)
            for (const sample of durations) {
              const keys = Object.keys(sample.tags)
              expect(keys).toContain('http.request.method')
              expect(keys).toContain('http.route')
              for (const key of keys) expect([...OTEL_REQUEST_KEYS, 'g']).toContain(key)
            }
            expect(capture.find('http.server.requests')).toEqual([])
          },
        ),
        { numRuns: 200 },
      )
    })

    it('tag keys keep their dots, lose only what the format cannot carry', () => {
      const capture = createCaptureMeter({ tagFormat })
      capture.meter.increment('k', 1, {
        'http.route': 1,
        'A..B.': 2,
        '.lead.trail.': 3,
        '9.lives': 4,
        'a b.c': 5,
      })
      return capture.meter.flush().then(() => {
        expect(Object.keys(capture.find('k')[0]?.tags ?? {})).toEqual([
          'http.route',
          'a.b',
          'lead.trail',
          '_9.lives',
          'a_b.c',
        ])
      })
    })
  },
)

describe('the real statsd daemon parses whatever hostile input produced', () => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())

  it.each([
    ['dogstatsd', 'tags'],
    ['telegraf', 'tags'],
    ['dogstatsd', 'otel'],
    ['telegraf', 'otel'],
  ] as const)(
    '%s, %s naming: zero bad lines, and exactly the metrics sent',
    async (tagFormat, naming) => {
      await daemon.clear()
      const before = await daemon.counters()
      // Object.prototype keys first: as a bare metric key they crash the Etsy daemon.
      const prototypeKeys = ['__proto__', 'constructor', 'toString'].map((name) => ({
        name,
        tags: {},
        route: name,
        method: name,
        member: name,
      }))
      const inputs = [
        ...prototypeKeys,
        ...fc.sample(
          fc.record({
            name: hostile,
            tags: tagObject,
            route: hostile,
            method: hostile,
            member: hostile,
          }),
          200,
        ),
      ]
      const meter = createMeter({
        port: daemon.port,
        tagFormat,
        naming,
        flushIntervalMs: 3_600_000,
      })
      let expected = 0
      for (const input of inputs) {
        expected += recordHostile(meter as never, input)
        // Flush per input so sends stay small and ordered on loopback.
        await meter.flush()
      }
      await meter.close()
      const stats = meter.stats()
      expect(stats.lines).toBe(expected)
      const metricsBefore = before['statsd.metrics_received'] ?? 0
      const counters = await daemon.waitForCounters(
        (c) => (c['statsd.metrics_received'] ?? 0) - metricsBefore >= expected,
      )
      expect((counters['statsd.metrics_received'] ?? 0) - metricsBefore).toBe(expected)
      expect(counters['statsd.bad_lines_seen']).toBe(0)
    },
  )
})
