import dgram from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  captureFaultWarnings,
  type LoadRequest,
  type LoadResponse,
  type ProcessFaultWatch,
  sendHttpLoad,
  settledMemory,
  watchProcessFaults,
} from '@routemeter/core/testing'
import type { NextFunction, Request, Response } from 'express'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from '../src/index'
import { closeServer, listen } from './support/async'
import { type ExpressFactory, MAJORS } from './support/harness'

/**
 * StatsD is absent — nothing listens, the name does not resolve, the socket file is missing —
 * while a real Express server takes real HTTP load. The app must answer every request exactly
 * as the same app without routemeter does, no error may reach a handler or the process, each
 * fault kind is logged once, and what is lost is counted in `stats()`.
 */

class Conflict extends Error {
  readonly status = 409
}

/** A deliberate failure of the app itself, answered by its error middleware. */
class Deliberate extends Error {}

interface Planned {
  readonly request: LoadRequest
  readonly response: LoadResponse
}

const JSON_TYPE = 'application/json; charset=utf-8'
const JSON_BODY = { 'content-type': 'application/json' }

/** Request `i` of the mix and the exact response the app gives without metrics. */
function plan(i: number): Planned {
  switch (i % 8) {
    case 3:
      return {
        request: {
          method: 'POST',
          path: '/orders',
          body: `{"items":${i % 5}}`,
          headers: JSON_BODY,
        },
        response: {
          status: 201,
          contentType: JSON_TYPE,
          body: `{"created":true,"items":${i % 5}}`,
        },
      }
    case 4:
      return {
        request: { method: 'PUT', path: `/orders/${i}` },
        response: { status: 409, contentType: JSON_TYPE, body: `{"error":"order ${i} is locked"}` },
      }
    case 5:
      return {
        request: { method: 'GET', path: `/broken?attempt=${i}` },
        response: { status: 500, contentType: JSON_TYPE, body: '{"error":"storage offline"}' },
      }
    case 6:
      return {
        request: { method: 'GET', path: `/no/such/page/${i}?q=${i}` },
        response: {
          status: 404,
          contentType: JSON_TYPE,
          body: `{"error":"not found","path":"/no/such/page/${i}"}`,
        },
      }
    default:
      return {
        request: { method: 'GET', path: `/users/${i}` },
        response: { status: 200, contentType: JSON_TYPE, body: `{"id":"${i}","name":"user ${i}"}` },
      }
  }
}

interface Subject {
  readonly server: http.Server
  readonly port: number
  readonly metrics: RoutemeterMiddleware | undefined
  /** Errors that reached the app's error middleware and were not the app's own. */
  readonly unexpected: unknown[]
}

/** The app under test; `options` undefined builds the metrics-free control. */
async function shop(
  express: ExpressFactory,
  options: RoutemeterOptions | undefined,
): Promise<Subject> {
  const unexpected: unknown[] = []
  const app = express()
  const metrics = options === undefined ? undefined : routemeter(options)
  if (metrics !== undefined) app.use(metrics)
  app.use(express.json())
  app.get('/users/:id', async (req, res) => {
    const id = String(req.params.id)
    const load = async () => ({ id, name: `user ${id}` })
    const user = metrics ? await req.metrics.time('db.query', load) : await load()
    if (metrics) {
      metrics.meter.increment('users.read', { tier: Number(id) % 3 === 0 ? 'gold' : 'free' })
      metrics.meter.timing('users.payload', id.length)
      metrics.meter.gauge('users.last', Number(id))
      metrics.meter.set('users.seen', id)
    }
    res.json(user)
  })
  app.post('/orders', (req, res) => {
    if (metrics) req.metrics.timer('orders.validate')()
    res.status(201).json({ created: true, items: req.body.items })
  })
  app.put('/orders/:id', (req, _res, next) => {
    next(new Conflict(`order ${req.params.id} is locked`))
  })
  app.get('/broken', () => {
    throw new Deliberate('storage offline')
  })
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not found', path: req.path })
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof Conflict) {
      res.status(409).json({ error: error.message })
      return
    }
    if (!(error instanceof Deliberate)) unexpected.push(error)
    res.status(500).json({ error: error.message })
  })
  const server = http.createServer(app)
  return { server, port: await listen(server), metrics, unexpected }
}

/** Drives `total` planned requests and returns the ones whose response differed from the plan. */
async function drive(port: number, total: number, onEach?: () => void): Promise<string[]> {
  const mismatches: string[] = []
  const result = await sendHttpLoad({
    port,
    total,
    request: (i) => plan(i).request,
    onResponse(i, response) {
      onEach?.()
      const expected = plan(i).response
      if (
        response.status !== expected.status ||
        response.body !== expected.body ||
        response.contentType !== expected.contentType
      ) {
        mismatches.push(mismatches.length < 5 ? `#${i}: ${JSON.stringify(response)}` : `#${i}`)
      }
    },
  })
  expect(result.responses).toBe(total)
  return mismatches
}

async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

async function closedTcpPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const REQUESTS = 5_000
const MEMORY_REQUESTS = 200_000
const socketDir = mkdtempSync(path.join(tmpdir(), 'routemeter-absent-'))

const ABSENCES: ReadonlyArray<{
  readonly name: string
  readonly options: () => Promise<RoutemeterOptions>
  /** The fault kind that must be reported; `undefined` where the sender cannot know (UDP). */
  readonly fault: string | undefined
}> = [
  {
    name: 'UDP to a closed port',
    options: async () => ({ port: await closedUdpPort() }),
    fault: undefined,
  },
  {
    name: 'TCP, connection refused',
    options: async () => ({ protocol: 'tcp', port: await closedTcpPort() }),
    fault: 'tcp-connection',
  },
  {
    name: 'UDP to a host name that does not resolve',
    options: async () => ({ host: 'statsd.invalid' }),
    fault: 'dns',
  },
  {
    name: 'TCP to a host name that does not resolve',
    options: async () => ({ protocol: 'tcp', host: 'statsd.invalid' }),
    fault: 'tcp-connection',
  },
  {
    name: 'a Unix socket path that does not exist',
    options: async () => ({ protocol: 'uds', path: path.join(socketDir, 'missing.sock') }),
    fault: 'send',
  },
]

const measured: Record<string, unknown> = {}
afterAll(() => {
  rmSync(socketDir, { recursive: true, force: true })
  // The figures the report quotes; printed, not asserted beyond the bounds below.
  if (Object.keys(measured).length > 0)
    console.info('Express, memory over load:', JSON.stringify(measured))
})

describe.each(MAJORS)(
  '$major, StatsD absent: the app serves every request unchanged',
  ({ express }) => {
    let watch: ProcessFaultWatch
    let subject: Subject | undefined
    beforeEach(() => {
      watch = watchProcessFaults()
    })
    afterEach(async () => {
      if (subject) {
        await closeServer(subject.server)
        await subject.metrics?.close()
      }
      subject = undefined
      watch.stop()
    })

    it('the metrics-free control answers exactly as planned', async () => {
      subject = await shop(express, undefined)
      expect(await drive(subject.port, 2_000)).toEqual([])
      expect(subject.unexpected).toEqual([])
    })

    it.each(ABSENCES)(
      '$name: unchanged responses, no error reaches a handler or the process, one log line per fault kind, losses counted',
      async ({ options, fault }) => {
        const log = captureFaultWarnings()
        subject = await shop(express, {
          ...(await options()),
          flushIntervalMs: 20,
          logger: log.logger,
        })
        const metrics = subject.metrics as RoutemeterMiddleware

        expect(await drive(subject.port, REQUESTS)).toEqual([])
        await closeServer(subject.server)
        await metrics.close()

        expect(subject.unexpected).toEqual([])
        expect(watch.faults).toEqual([])
        const stats = metrics.meter.stats()
        expect(stats.lines).toBeGreaterThan(REQUESTS)
        expect(stats.activeRequests).toBe(0)
        // Every kind of fault that happened was logged exactly once (rate limit: one a minute),
        // and nothing else was logged.
        const kinds = Object.keys(stats.faults).sort()
        expect(log.byKind()).toEqual(Object.fromEntries(kinds.map((kind) => [kind, 1])))
        expect(log.others()).toEqual([])
        if (fault === undefined) {
          // UDP cannot tell a closed port: the kernel takes the datagram, no error comes back.
          expect(stats.faults).toEqual({})
          expect(stats.droppedLines).toBe(0)
          expect(stats.datagrams).toBeGreaterThan(0)
        } else {
          expect(kinds).toContain(fault)
          // Far more faults happened than were logged: the rate limit held.
          expect(Object.values(stats.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(
            kinds.length,
          )
          // Nothing arrived anywhere, and all of it is counted as dropped.
          expect(stats.droppedLines).toBe(stats.lines)
          expect(stats.queuedBytes).toBe(0)
        }
      },
    )
  },
)

describe('Express 5, StatsD absent for a long time', () => {
  it(`a host name that does not resolve, over ${MEMORY_REQUESTS.toLocaleString('en')} HTTP requests: memory stays bounded`, async () => {
    const watch = watchProcessFaults()
    const log = captureFaultWarnings()
    const express = (MAJORS[0] as (typeof MAJORS)[number]).express
    const subject = await shop(express, {
      host: 'statsd.invalid',
      flushIntervalMs: 20,
      logger: log.logger,
    })
    const metrics = subject.metrics as RoutemeterMiddleware
    try {
      // Warm up (JIT, Express' caches), then measure from a settled heap.
      expect(await drive(subject.port, 10_000)).toEqual([])
      const seriesWarm = metrics.meter.stats().series
      const before = settledMemory()
      const mismatches = await drive(subject.port, MEMORY_REQUESTS)
      const after = settledMemory()
      expect(mismatches).toEqual([])

      const stats = metrics.meter.stats()
      measured['a host name that does not resolve'] = {
        requests: MEMORY_REQUESTS,
        heapGrowthBytes: after.heapUsed - before.heapUsed,
        externalGrowthBytes: after.external - before.external,
        rssGrowthBytes: after.rss - before.rss,
        lines: stats.lines,
        droppedLines: stats.droppedLines,
        gc: after.collected,
      }
      expect(stats.series).toBe(seriesWarm)
      // Heap and Buffers: a leak of even 50 bytes a request would be 10 MB here.
      const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
      expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)
      expect(after.external - before.external).toBeLessThan(margin)
      // Nothing is held back waiting for DNS: every line so far is already counted as dropped.
      expect(stats.droppedLines).toBeGreaterThan(stats.lines * 0.99)
      expect(log.byKind()).toEqual({ dns: 1 })
      expect(watch.faults).toEqual([])
      expect(subject.unexpected).toEqual([])
    } finally {
      await closeServer(subject.server)
      await metrics.close()
      watch.stop()
    }
  })
})
