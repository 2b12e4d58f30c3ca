import { createCaptureMeter } from '@routemeter/core/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { NO_INTERVAL } from './support'

/** A Fastify app whose logger writes warnings into `lines`. */
function loggingApp(lines: string[]): FastifyInstance {
  return Fastify({
    logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } },
  })
}

describe('routemeter reports its faults through app.log', () => {
  let app: FastifyInstance | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  it('by default: a runtime fault is a warning in the app log, never an error in the request', async () => {
    const lines: string[] = []
    app = loggingApp(lines)
    await app.register(routemeter, { enabled: true, port: 9, flushIntervalMs: NO_INTERVAL })
    app.get('/', async function handler() {
      this.metrics.gauge('queue.depth', Number.NaN)
      return 'ok'
    })
    expect((await app.inject('/')).statusCode).toBe(200)
    const warning = lines
      .map((line) => JSON.parse(line))
      .find((entry) => /routemeter/.test(entry.msg))
    expect(warning).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/invalid-value.*queue\.depth/),
    })
  })

  it('a route declared before the plugin with a malformed setting is warned about and measured as usual', async () => {
    const lines: string[] = []
    app = loggingApp(lines)
    const capture = createCaptureMeter({ logger: app.log })
    const malformed = { metrics: { label: 'typo' } } as unknown as { metrics: false }
    app.get('/early', { config: malformed }, async () => 'early')
    await app.register(routemeter, { meter: capture.meter })
    await app.inject('/early')
    await app.inject('/early')
    await capture.meter.flush()
    expect(capture.counter('http.server.requests', { route: '/early' })).toBe(2)
    const warnings = lines.filter((line) =>
      line.includes('config.metrics.label of route GET /early'),
    )
    expect(warnings).toHaveLength(1)
  })

  it('an explicit logger wins over app.log', async () => {
    const lines: string[] = []
    const mine: string[] = []
    app = loggingApp(lines)
    await app.register(routemeter, {
      enabled: true,
      port: 9,
      logger: { warn: (message) => mine.push(message) },
    })
    app.metrics.timing('negative', -1)
    expect(mine.join('\n')).toMatch(/invalid-value/)
    expect(lines.join('\n')).not.toMatch(/routemeter/)
  })
})
