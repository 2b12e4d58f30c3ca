import http from 'node:http'
import { createMeter, RoutemeterOptionError } from '@routemeter/core'
import { INVALID_ADAPTER_OPTIONS } from '@routemeter/core/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { routemeter } from '../src/index'
import { MAJORS } from './support/harness'

/**
 * Bad configuration fails fast: creating the middleware with an invalid option throws before the
 * app is built or a server listens, with an error that names the option, the value received and
 * what is allowed.
 */

/** The shared cases, plus what only the middleware sees: a numeric prefix and non-object options. */
const INVALID = [
  ...INVALID_ADAPTER_OPTIONS,
  [{ prefix: 7 }, 'prefix', '7', 'a string, or null for no prefix'],
  [null, 'options', 'null', 'an object of routemeter options'],
  ['fast', 'options', '"fast"', 'an object of routemeter options'],
] as ReadonlyArray<readonly [object, string, string, string]>

function startupError(options: object): unknown {
  try {
    routemeter(options)
  } catch (error) {
    return error
  }
  return undefined
}

describe('invalid options stop an Express app at startup, naming option, value and what is allowed', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it.each(INVALID)('%o', (options, option, shown, allowed) => {
    const error = startupError(options)
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    expect((error as RoutemeterOptionError).option).toBe(option)
    const message = (error as Error).message
    expect(message).toContain(`"${option}"`)
    expect(message).toContain(`received ${shown}`)
    expect(message).toContain(allowed)
  })

  it.each(MAJORS)(
    '$major: the server never starts when the middleware cannot be built',
    ({ express }) => {
      let server: http.Server | undefined
      const start = () => {
        const app = express()
        app.use(routemeter({ protocol: 'http' as 'udp' }))
        server = http.createServer(app).listen(0, '127.0.0.1')
      }
      expect(start).toThrowError(RoutemeterOptionError)
      expect(server).toBeUndefined()
    },
  )

  it('a meter given together with meter options', () => {
    const meter = createMeter({ enabled: false })
    const error = startupError({ meter, port: 8125 })
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    expect((error as Error).message).toMatch(/"port".*either a meter or meter options/)
  })

  it.each([
    ['STATSD_PORT', 'abc', 'port', 'an integer from 1 to 65535'],
    ['STATSD_PROTOCOL', 'quic', 'protocol', 'one of "udp", "tcp", "uds"'],
    ['STATSD_SAMPLE_RATE', '2', 'sampleRate', 'a number greater than 0 and at most 1'],
    ['STATSD_FLUSH_INTERVAL_MS', '-5', 'flushIntervalMs', 'an integer from 10 to 3600000'],
  ])('from the environment: %s=%s names the variable too', (variable, text, option, allowed) => {
    vi.stubEnv(variable, text)
    const error = startupError({})
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    expect((error as Error).message).toContain(
      `"${option}": received "${text}" (from ${variable}); expected ${allowed}`,
    )
  })
})
