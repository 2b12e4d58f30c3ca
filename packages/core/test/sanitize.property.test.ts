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

const LINE_SHAPE: Record<TagFormat, RegExp> = {
  // name:value|type[|@rate][|#k:v,...] with nothing else.
  dogstatsd:
    /^[A-Za-z0-9_.-]+:[^|:\n]+\|(c|ms|g|s|h|d)(\|@[\d.]+)?(\|#[a-z0-9_]+:[A-Za-z0-9_./:-]+(,[a-z0-9_]+:[A-Za-z0-9_./:-]+)*)?$/,
  // name[,k=v...]:value|type[|@rate]
  telegraf: /^[A-Za-z0-9_.-]+(,[a-z0-9_]+=[A-Za-z0-9_./-]+)*:[^|:\n]+\|(c|ms|g|s|h|d)(\|@[\d.]+)?$/,
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
  return 7 // lines those calls produce
}

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

describe('the real statsd daemon parses whatever hostile input produced', () => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())

  it.each(['dogstatsd', 'telegraf'] as const)(
    '%s: zero bad lines, and exactly the metrics sent',
    async (tagFormat) => {
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
      const meter = createMeter({ port: daemon.port, tagFormat, flushIntervalMs: 3_600_000 })
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
