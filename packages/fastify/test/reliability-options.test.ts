import { createMeter, RoutemeterOptionError } from '@routemeter/core'
import Fastify from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import routemeter from '../src/index'

/**
 * Bad configuration fails fast: registering the plugin with an invalid option stops the app
 * from starting, with an error that names the option, the value received and what is allowed.
 */

/** [options, option named, value as shown, allowed as stated] */
const INVALID: ReadonlyArray<readonly [object, string, string, string]> = [
  // Ports
  [{ port: 0 }, 'port', '0', 'an integer from 1 to 65535'],
  [{ port: 70_000 }, 'port', '70000', 'an integer from 1 to 65535'],
  [{ port: -1 }, 'port', '-1', 'an integer from 1 to 65535'],
  [{ port: 81.5 }, 'port', '81.5', 'an integer from 1 to 65535'],
  [{ port: '8125' }, 'port', '"8125"', 'an integer from 1 to 65535'],
  // Protocols
  [{ protocol: 'http' }, 'protocol', '"http"', 'one of "udp", "tcp", "uds"'],
  [{ protocol: 'UDP' }, 'protocol', '"UDP"', 'one of "udp", "tcp", "uds"'],
  [{ protocol: 17 }, 'protocol', '17', 'one of "udp", "tcp", "uds"'],
  // Sample rate outside (0, 1]
  [{ sampleRate: 0 }, 'sampleRate', '0', 'a number greater than 0 and at most 1'],
  [{ sampleRate: 1.5 }, 'sampleRate', '1.5', 'a number greater than 0 and at most 1'],
  [{ sampleRate: -0.5 }, 'sampleRate', '-0.5', 'a number greater than 0 and at most 1'],
  [{ sampleRate: Number.NaN }, 'sampleRate', 'NaN', 'a number greater than 0 and at most 1'],
  [{ sampleRate: '0.5' }, 'sampleRate', '"0.5"', 'a number greater than 0 and at most 1'],
  // Negative or zero intervals and sizes
  [{ flushIntervalMs: -1000 }, 'flushIntervalMs', '-1000', 'an integer from 10 to 3600000'],
  [{ flushIntervalMs: 0 }, 'flushIntervalMs', '0', 'an integer from 10 to 3600000'],
  [{ flushIntervalMs: '1s' }, 'flushIntervalMs', '"1s"', 'an integer from 10 to 3600000'],
  [{ maxBufferSize: -1 }, 'maxBufferSize', '-1', 'an integer from 512 to 65507'],
  [{ maxQueueBytes: -1 }, 'maxQueueBytes', '-1', 'an integer from 1024 to 1073741824'],
  [{ maxSeries: -5 }, 'maxSeries', '-5', 'an integer from 1 to 10000000'],
  [{ maxSamplesPerSeries: 0 }, 'maxSamplesPerSeries', '0', 'an integer from 1 to 1000000'],
  // Wrong types
  [{ enabled: 'yes' }, 'enabled', '"yes"', 'true or false'],
  [{ packValues: 1 }, 'packValues', '1', 'true or false'],
  [{ host: 42 }, 'host', '42', 'a non-empty string'],
  [{ host: '' }, 'host', '""', 'a non-empty string'],
  [{ path: {} }, 'path', 'an object', 'a non-empty string'],
  [{ naming: 'graphite' }, 'naming', '"graphite"', 'one of "tags", "path"'],
  [{ tagFormat: 'influx' }, 'tagFormat', '"influx"', 'one of "dogstatsd", "telegraf"'],
  [{ globalTags: 'team:core' }, 'globalTags', '"team:core"', 'an object of tag names'],
  [{ globalTags: { team: null } }, 'globalTags.team', 'null', 'a string or a number'],
  [{ logger: 'console' }, 'logger', '"console"', 'an object with a warn(message) method'],
  [{ client: {} }, 'client', 'an object', 'a hot-shots StatsD client instance'],
  [{ meter: {} }, 'meter', 'an object', 'a meter from createMeter()'],
  [{ exclude: '/health' }, 'exclude', '"/health"', 'an array of paths or RegExps'],
  [{ exclude: [42] }, 'exclude', '42', 'each entry a path string or a RegExp'],
  [{ colour: 'blue' }, 'colour', '"blue"', 'one of the known options'],
]

async function startupError(options: object): Promise<unknown> {
  const app = Fastify()
  let error: unknown
  try {
    await app.register(routemeter, options)
    await app.listen({ port: 0, host: '127.0.0.1' })
  } catch (caught) {
    error = caught
  }
  // The app never started serving.
  expect(app.server.listening).toBe(false)
  await app.close().catch(() => {})
  return error
}

describe('invalid options stop the Fastify app at startup, naming option, value and what is allowed', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it.each(INVALID)('%o', async (options, option, shown, allowed) => {
    const error = await startupError(options)
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    expect((error as RoutemeterOptionError).option).toBe(option)
    const message = (error as Error).message
    expect(message).toContain(`"${option}"`)
    expect(message).toContain(`received ${shown}`)
    expect(message).toContain(allowed)
  })

  it('a meter given together with meter options', async () => {
    const meter = createMeter({ enabled: false })
    const error = await startupError({ meter, port: 8125 })
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    expect((error as Error).message).toMatch(/"port".*either a meter or meter options/)
  })

  it.each([
    ['STATSD_PORT', 'abc', 'port', 'an integer from 1 to 65535'],
    ['STATSD_PROTOCOL', 'quic', 'protocol', 'one of "udp", "tcp", "uds"'],
    ['STATSD_SAMPLE_RATE', '2', 'sampleRate', 'a number greater than 0 and at most 1'],
    ['STATSD_FLUSH_INTERVAL_MS', '-5', 'flushIntervalMs', 'an integer from 10 to 3600000'],
  ])(
    'from the environment: %s=%s names the variable too',
    async (variable, text, option, allowed) => {
      vi.stubEnv(variable, text)
      const error = await startupError({})
      expect(error).toBeInstanceOf(RoutemeterOptionError)
      expect((error as Error).message).toContain(
        `"${option}": received "${text}" (from ${variable}); expected ${allowed}`,
      )
    },
  )
})
