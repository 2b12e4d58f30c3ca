import { createMeter, RoutemeterOptionError } from '@routemeter/core'
import { INVALID_ADAPTER_OPTIONS } from '@routemeter/core/testing'
import Fastify from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import routemeter from '../src/index'

/**
 * Bad configuration fails fast: registering the plugin with an invalid option stops the app
 * from starting, with an error that names the option, the value received and what is allowed.
 */

const INVALID = INVALID_ADAPTER_OPTIONS

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
