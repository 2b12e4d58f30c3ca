import type { Server } from 'node:http'
import { createMeter, RoutemeterOptionError } from '@routemeter/core'
import type { AdapterOptions } from '@routemeter/core/adapter'
import type { AdapterFactory } from './adapter'
import { INVALID_ADAPTER_OPTIONS } from './invalid-options'
import { itIf, type SuiteContext } from './suite'

/**
 * Bad configuration fails fast: an app built with an invalid option does not start, with an
 * error that names the option, the value received and what is allowed.
 */

/** Options that reach the adapter as is, not as an options object a framework checks first. */
const RAW_OPTIONS: ReadonlyArray<readonly [unknown, string, string, string]> = [
  [{ prefix: 7 }, 'prefix', '7', 'a string, or null for no prefix'],
  [null, 'options', 'null', 'an object of routemeter options'],
  ['fast', 'options', '"fast"', 'an object of routemeter options'],
]

/** Starts an app with `options`; returns what it threw, after checking nothing listens. */
async function startupError(
  factory: AdapterFactory,
  options: unknown,
  expect: SuiteContext['test']['expect'],
): Promise<unknown> {
  let server: Server | undefined
  let error: unknown
  try {
    const app = await factory.start(
      { routes: [{ method: 'GET', path: '/', handler: () => ({ text: 'up' }) }] },
      options as AdapterOptions,
      { onServer: (created) => (server = created) },
    )
    await app.dispose()
  } catch (caught) {
    error = caught
  }
  // The app never started serving.
  expect(server?.listening ?? false).toBe(false)
  return error
}

export function optionsSuite(context: SuiteContext): void {
  const { test, factory } = context
  const { describe, it, expect, afterEach, vi } = test
  const raw = itIf(context, 'rawOptions')

  describe(`${factory.name}: invalid options stop the app at startup, naming option, value and what is allowed`, () => {
    afterEach(() => {
      vi.unstubAllEnvs()
    })

    const check = async (options: unknown, option: string, shown: string, allowed: string) => {
      const error = await startupError(factory, options, expect)
      expect(error).toBeInstanceOf(RoutemeterOptionError)
      expect((error as RoutemeterOptionError).option).toBe(option)
      const message = (error as Error).message
      expect(message).toContain(`"${option}"`)
      expect(message).toContain(`received ${shown}`)
      expect(message).toContain(allowed)
    }

    it.each(INVALID_ADAPTER_OPTIONS)('%o', check)
    raw.it.each(RAW_OPTIONS)(`%o${raw.suffix}`, check)

    it('a meter given together with meter options', async () => {
      const meter = createMeter({ enabled: false })
      const error = await startupError(factory, { meter, port: 8125 }, expect)
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
        const error = await startupError(factory, {}, expect)
        expect(error).toBeInstanceOf(RoutemeterOptionError)
        expect((error as Error).message).toContain(
          `"${option}": received "${text}" (from ${variable}); expected ${allowed}`,
        )
      },
    )
  })
}
