/**
 * Invalid adapter options, each with what the start-up error must say:
 * `[options, option named, value as shown, allowed as stated]`. Both adapters' tests run every
 * case, so an option rule is proven for Fastify and Express at once.
 */
export const INVALID_ADAPTER_OPTIONS: ReadonlyArray<readonly [object, string, string, string]> = [
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
