import { describe, expect, it } from 'vitest'
import { parseEnabledFlag, resolveOptions } from '../src/config/options'
import { RoutemeterOptionError } from '../src/index'

const noEnv = {}

describe('options: defaults', () => {
  it('uses documented defaults when nothing is given', () => {
    const options = resolveOptions({}, noEnv)
    expect(options).toMatchObject({
      enabled: true,
      host: '127.0.0.1',
      port: 8125,
      protocol: 'udp',
      path: undefined,
      prefix: null,
      naming: 'tags',
      tagFormat: 'dogstatsd',
      globalTags: {},
      flushIntervalMs: 1000,
      sampleRate: 1,
      maxBufferSize: 8192,
      maxSeries: 20_000,
      maxSamplesPerSeries: 1000,
      maxQueueBytes: 1_048_576,
      packValues: false,
      processMetrics: false,
      client: undefined,
    })
  })
})

describe('options: the datagram size follows where the datagrams go', () => {
  it.each([
    [{}, 8192],
    [{ host: '127.0.0.1' }, 8192],
    [{ host: '127.8.9.10' }, 8192],
    [{ host: 'localhost' }, 8192],
    [{ host: 'LOCALHOST' }, 8192],
    [{ host: 'statsd.localhost' }, 8192],
    [{ host: '::1' }, 8192],
    [{ host: '10.0.0.5' }, 1432],
    [{ host: '128.0.0.1' }, 1432],
    [{ host: '::ffff:10.0.0.5' }, 1432],
    [{ host: 'statsd.internal' }, 1432],
    [{ host: 'localhost.example.com' }, 1432],
    [{ host: '10.0.0.5', protocol: 'tcp' }, 8192],
    [{ protocol: 'uds', path: '/tmp/dsd.socket' }, 8192],
    [{ host: '127.0.0.1', maxBufferSize: 1432 }, 1432],
    [{ host: '10.0.0.5', maxBufferSize: 8192 }, 8192],
  ] as const)('%o → maxBufferSize %d', (given, expected) => {
    expect(resolveOptions(given, noEnv).maxBufferSize).toBe(expected)
  })

  it('STATSD_HOST decides the default as the option would, STATSD_MAX_BUFFER_SIZE wins over both', () => {
    expect(resolveOptions({}, { STATSD_HOST: 'statsd.internal' }).maxBufferSize).toBe(1432)
    expect(resolveOptions({}, { STATSD_HOST: 'localhost' }).maxBufferSize).toBe(8192)
    expect(
      resolveOptions({}, { STATSD_HOST: 'localhost', STATSD_MAX_BUFFER_SIZE: '1432' })
        .maxBufferSize,
    ).toBe(1432)
  })
})

describe('options: environment variables', () => {
  it.each([
    ['STATSD_HOST', 'statsd.local', 'host', 'statsd.local'],
    ['STATSD_PORT', '9125', 'port', 9125],
    ['STATSD_PROTOCOL', 'TCP', 'protocol', 'tcp'],
    ['STATSD_PATH', '/tmp/dsd.socket', 'path', '/tmp/dsd.socket'],
    ['STATSD_PREFIX', 'my.app', 'prefix', 'my.app'],
    ['STATSD_NAMING', 'path', 'naming', 'path'],
    ['STATSD_NAMING', 'OTel', 'naming', 'otel'],
    ['STATSD_TAG_FORMAT', 'telegraf', 'tagFormat', 'telegraf'],
    ['STATSD_FLUSH_INTERVAL_MS', '250', 'flushIntervalMs', 250],
    ['STATSD_SAMPLE_RATE', '0.25', 'sampleRate', 0.25],
    ['STATSD_MAX_BUFFER_SIZE', '8192', 'maxBufferSize', 8192],
  ] as const)('%s sets %s', (variable, text, option, expected) => {
    expect(resolveOptions({}, { [variable]: text })[option]).toEqual(expected)
  })

  it('STATSD_GLOBAL_TAGS is a key:value list', () => {
    expect(resolveOptions({}, { STATSD_GLOBAL_TAGS: 'team:core, region:eu-1' }).globalTags).toEqual(
      {
        team: 'core',
        region: 'eu-1',
      },
    )
  })

  it('an explicit option wins over the environment', () => {
    expect(resolveOptions({ port: 1234 }, { STATSD_PORT: '9125' }).port).toBe(1234)
    expect(resolveOptions({ prefix: 'explicit' }, { STATSD_PREFIX: 'env' }).prefix).toBe('explicit')
  })

  it.each([
    ['1', true],
    ['42', true],
    ['-1', true],
    ['0', false],
    ['yes', true],
    ['TRUE', true],
    ['t', true],
    ['On', true],
    ['no', false],
    ['false', false],
    ['off', false],
    ['nonsense', false],
  ])('STATSD_ENABLED=%s means %s', (text, expected) => {
    expect(parseEnabledFlag(text)).toBe(expected)
    expect(resolveOptions({}, { STATSD_ENABLED: text }).enabled).toBe(expected)
  })

  it('STATSD_ENABLED unset means enabled', () => {
    expect(resolveOptions({}, {}).enabled).toBe(true)
  })
})

describe('options: prefix', () => {
  it('defaults to applications.<service>.<environment> when both are given', () => {
    expect(resolveOptions({ service: 'shop', environment: 'prod' }, noEnv).prefix).toBe(
      'applications.shop.prod',
    )
  })

  it('has no default when only one of service and environment is given', () => {
    expect(resolveOptions({ service: 'shop' }, noEnv).prefix).toBeNull()
  })

  it('STATSD_SERVICE and STATSD_ENVIRONMENT make the default prefix', () => {
    expect(resolveOptions({}, { STATSD_SERVICE: 'api', STATSD_ENVIRONMENT: 'dev' }).prefix).toBe(
      'applications.api.dev',
    )
  })

  it('STATSD_PREFIX wins over service/environment', () => {
    expect(
      resolveOptions({ service: 'shop', environment: 'prod' }, { STATSD_PREFIX: 'p' }).prefix,
    ).toBe('p')
  })

  it('explicit null means no prefix even when the environment sets one', () => {
    expect(
      resolveOptions({ prefix: null, service: 's', environment: 'e' }, { STATSD_PREFIX: 'p' })
        .prefix,
    ).toBeNull()
  })
})

describe('STATSD_ENABLED with a value that is not recognised', () => {
  it.each(['ture', 'enabled', 'y'])(
    '%s: disabled, as documented, with one warning naming the value',
    (text) => {
      const warnings: string[] = []
      const logger = { warn: (m: string) => warnings.push(m) }
      expect(resolveOptions({ logger }, { STATSD_ENABLED: text }).enabled).toBe(false)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`STATSD_ENABLED="${text}"`)
      expect(warnings[0]).toContain('disabled')
    },
  )

  it.each(['1', '0', 'true', 'FALSE', ' on ', 'off', 'no', 'T', ''])(
    '%j is recognised: no warning',
    (text) => {
      const warnings: string[] = []
      resolveOptions({ logger: { warn: (m) => warnings.push(m) } }, { STATSD_ENABLED: text })
      expect(warnings).toEqual([])
    },
  )

  it('an explicit enabled option wins and nothing is said about the variable', () => {
    const warnings: string[] = []
    const resolved = resolveOptions(
      { enabled: true, logger: { warn: (m) => warnings.push(m) } },
      { STATSD_ENABLED: 'ture' },
    )
    expect(resolved.enabled).toBe(true)
    expect(warnings).toEqual([])
  })
})

describe('STATSD_PREFIX set to the empty string', () => {
  it('turns the default prefix off, as prefix: null does', () => {
    const env = { STATSD_PREFIX: '', STATSD_SERVICE: 'shop', STATSD_ENVIRONMENT: 'prod' }
    expect(resolveOptions({}, env).prefix).toBeNull()
    expect(resolveOptions({}, { ...env, STATSD_PREFIX: '  ' }).prefix).toBeNull()
    expect(resolveOptions({ prefix: 'mine' }, env).prefix).toBe('mine')
    expect(resolveOptions({}, { STATSD_SERVICE: 'shop', STATSD_ENVIRONMENT: 'prod' }).prefix).toBe(
      'applications.shop.prod',
    )
  })
})

describe('options: invalid values fail at startup naming the option, the value and what is allowed', () => {
  it.each([
    [{ port: 0 }, 'port', '0', 'an integer from 1 to 65535'],
    [{ port: 70000 }, 'port', '70000', 'an integer from 1 to 65535'],
    [{ port: '8125' }, 'port', '"8125"', 'an integer'],
    [{ port: 81.5 }, 'port', '81.5', 'an integer'],
    [{ protocol: 'http' }, 'protocol', '"http"', '"udp", "tcp", "uds"'],
    [{ sampleRate: 0 }, 'sampleRate', '0', 'greater than 0 and at most 1'],
    [{ sampleRate: 1.5 }, 'sampleRate', '1.5', 'greater than 0 and at most 1'],
    [{ sampleRate: -0.1 }, 'sampleRate', '-0.1', 'greater than 0'],
    [{ flushIntervalMs: -5 }, 'flushIntervalMs', '-5', 'an integer from 10'],
    [{ flushIntervalMs: 0 }, 'flushIntervalMs', '0', 'an integer from 10'],
    [{ maxBufferSize: 100 }, 'maxBufferSize', '100', 'from 512 to 65507'],
    [{ maxSeries: 0 }, 'maxSeries', '0', 'from 1'],
    [{ maxSamplesPerSeries: -1 }, 'maxSamplesPerSeries', '-1', 'from 1'],
    [{ maxQueueBytes: 10 }, 'maxQueueBytes', '10', 'from 1024'],
    [
      { maxQueueBytes: 4096, maxBufferSize: 8192 },
      'maxQueueBytes',
      '4096',
      'more than maxBufferSize (8192)',
    ],
    [{ naming: 'graphite' }, 'naming', '"graphite"', '"tags", "path", "otel"'],
    [{ naming: 'otel', sampleRate: 0.1 }, 'sampleRate', '0.1', '1 with naming "otel"'],
    [{ tagFormat: 'influx' }, 'tagFormat', '"influx"', '"dogstatsd", "telegraf"'],
    [{ enabled: 'yes' }, 'enabled', '"yes"', 'true or false'],
    [{ packValues: 1 }, 'packValues', '1', 'true or false'],
    [{ host: '' }, 'host', '""', 'a non-empty string'],
    [{ host: 42 }, 'host', '42', 'a non-empty string'],
    [{ prefix: 7 }, 'prefix', '7', 'a string, or null'],
    [{ globalTags: 'a:b' }, 'globalTags', '"a:b"', 'an object'],
    [{ globalTags: { a: {} } }, 'globalTags.a', 'an object', 'a string or a number'],
    [{ client: {} }, 'client', 'an object', 'a hot-shots StatsD client'],
    [{ logger: console.log }, 'logger', 'a function', 'warn(message)'],
    [
      { naming: { requestCounter: () => ({ name: 'x' }) } },
      'naming.requestTimer',
      'undefined',
      'a function',
    ],
    [{ portt: 8125 }, 'portt', '8125', 'one of the known options'],
  ])('%j', (options, option, shown, allowed) => {
    let error: unknown
    try {
      resolveOptions(options as never, noEnv)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(RoutemeterOptionError)
    const message = (error as Error).message
    expect(message).toContain(`"${option}"`)
    expect(message).toContain(shown)
    expect(message).toContain(allowed)
  })

  it.each([
    ['STATSD_PORT', 'abc', 'port'],
    ['STATSD_PORT', '-1', 'port'],
    ['STATSD_PROTOCOL', 'quic', 'protocol'],
    ['STATSD_SAMPLE_RATE', 'half', 'sampleRate'],
    ['STATSD_FLUSH_INTERVAL_MS', '1s', 'flushIntervalMs'],
    ['STATSD_GLOBAL_TAGS', 'novalue', 'globalTags'],
    ['STATSD_NAMING', 'dots', 'naming'],
  ])('%s=%s names the variable it came from', (variable, text, option) => {
    expect(() => resolveOptions({}, { [variable]: text })).toThrow(
      new RegExp(`"${option}": received "${text}" \\(from ${variable}\\)`),
    )
  })
})

describe('options: a conflict between two settings names both, wherever each was set', () => {
  function messageOf(run: () => unknown): string {
    try {
      run()
    } catch (error) {
      expect(error).toBeInstanceOf(RoutemeterOptionError)
      return (error as Error).message
    }
    throw new Error('expected a RoutemeterOptionError')
  }

  it.each([
    [{ STATSD_TIMER_TYPE: 'd', STATSD_TAG_FORMAT: 'telegraf' }],
    [{ STATSD_NAMING: 'otel', STATSD_SAMPLE_RATE: '0.5' }],
    [{ STATSD_NAMING: 'otel', STATSD_MAX_SAMPLES_PER_FLUSH: '5' }],
  ])('%o: both variables are named', (env) => {
    const message = messageOf(() => resolveOptions({}, env))
    for (const variable of Object.keys(env)) expect(message).toContain(`from ${variable}`)
  })

  it('an option in conflict with a variable: the variable is named, the option too', () => {
    const message = messageOf(() => resolveOptions({ sampleRate: 0.5 }, { STATSD_NAMING: 'otel' }))
    expect(message).toContain('"sampleRate"')
    expect(message).toContain('naming "otel" (from STATSD_NAMING)')
  })

  it('two options in conflict: no variable is named', () => {
    const message = messageOf(() => resolveOptions({ timerType: 'd', tagFormat: 'telegraf' }, {}))
    expect(message).not.toContain('from ')
  })

  it('maxQueueBytes against STATSD_MAX_BUFFER_SIZE names the variable', () => {
    const message = messageOf(() =>
      resolveOptions({ maxQueueBytes: 4096 }, { STATSD_MAX_BUFFER_SIZE: '8192' }),
    )
    expect(message).toContain('maxBufferSize (8192, from STATSD_MAX_BUFFER_SIZE)')
  })

  it('labels against STATSD_NAMING=path, and against a STATSD_GLOBAL_TAGS key, name the variable', () => {
    const labels = { team: () => 'a' }
    expect(messageOf(() => resolveOptions({ labels }, { STATSD_NAMING: 'path' }))).toContain(
      'naming "path" (from STATSD_NAMING)',
    )
    expect(
      messageOf(() => resolveOptions({ labels }, { STATSD_GLOBAL_TAGS: 'Team:core' })),
    ).toContain('global tag "Team" (from STATSD_GLOBAL_TAGS)')
    expect(messageOf(() => resolveOptions({ labels, globalTags: { team: 'x' } }, {}))).toContain(
      'global tag "team")',
    )
  })
})
