import { spawn } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMeter, RoutemeterOptionError } from '@routemeter/core'
import { startStatsdReceiver } from '@routemeter/core/testing'
import express from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { RequestMetricsReader } from './support/harness'

const here = path.dirname(fileURLToPath(import.meta.url))

describe('start-up: invalid options fail fast with the option named', () => {
  it.each([
    [{ port: 70_000 }, 'port'],
    [{ naming: 'graphite' as 'path' }, 'naming'],
    [{ exclude: '/health' as unknown as string[] }, 'exclude'],
    [{ exclude: [42 as unknown as string] }, 'exclude'],
    [{ meter: createMeter({ enabled: false }), port: 8125 }, 'port'],
    [{ colour: 'blue' } as object, 'colour'],
    [null as unknown as object, 'options'],
  ])('%o', (options, option) => {
    expect(() => routemeter(options)).toThrowError(RoutemeterOptionError)
    expect(() => routemeter(options)).toThrowError(option)
  })
})

// Excluded paths: the conformance suite (exclude.test.ts).
describe('shutdown', () => {
  it('close() flushes what was recorded and closes the meter the middleware created', async () => {
    const receiver = await startStatsdReceiver()
    const metrics = routemeter({ port: receiver.port, prefix: null, flushIntervalMs: 3_600_000 })
    const app = express()
    app.use(metrics)
    app.get('/users/:id', (_req, res) => {
      res.send('user')
    })

    await request(app).get('/users/1').expect(200)
    await metrics.close()
    const read = new RequestMetricsReader(receiver, 'tags')
    await receiver.waitFor(() => read.total() === 1)

    expect(metrics.meter.stats().closed).toBe(true)
    // The app keeps serving after metrics are closed; nothing more is recorded.
    await request(app).get('/users/2').expect(200)
    await metrics.close()
    await receiver.close()
  })

  it('with a meter passed in, close() flushes it but leaves it open for its owner', async () => {
    const receiver = await startStatsdReceiver()
    const meter = createMeter({ port: receiver.port, prefix: null, flushIntervalMs: 3_600_000 })
    const metrics = routemeter({ meter })
    expect(metrics.meter).toBe(meter)
    const app = express()
    app.use(metrics)
    app.get('/', (_req, res) => {
      res.send('home')
    })

    await request(app).get('/').expect(200)
    await metrics.close()
    const read = new RequestMetricsReader(receiver, 'tags')
    await receiver.waitFor(() => read.total() === 1)

    expect(meter.stats().closed).toBe(false)
    meter.increment('still.open')
    await meter.close()
    await receiver.waitFor((r) => r.counter('still.open') === 1)
    await receiver.close()
  })

  it('the README SIGTERM example: in a real process, SIGTERM flushes the last requests and exits 0', async () => {
    const receiver = await startStatsdReceiver()
    const child = spawn(
      process.execPath,
      [path.join(here, 'fixtures/sigterm-server.mjs'), String(receiver.port)],
      {
        cwd: path.join(here, '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const [firstLine] = (await once(child.stdout, 'data')) as [Buffer]
    const port = Number(firstLine.toString().trim())

    for (const id of [1, 2, 3]) {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: `/users/${id}`, agent: false }, (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode))
          })
          .on('error', reject)
      })
      expect(status).toBe(200)
    }
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')

    expect(code).toBe(0)
    const read = new RequestMetricsReader(receiver, 'tags')
    await receiver.waitFor(() => read.total() === 3)
    expect(read.count('/users/:id', 'GET', 200)).toBe(3)
    await receiver.close()
  })
})
