import dgram from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  captureFaultWarnings,
  type FaultWarnings,
  type LoadRequest,
  type LoadResponse,
  type ProcessFaultWatch,
  sendHttpLoad,
  settledMemory,
  watchProcessFaults,
} from '@routemeter/core/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import routemeter, { type RoutemeterOptions } from '../src/index'
import { listen } from './support'

/**
 * StatsD is absent — nothing listens, the name does not resolve, the socket file is missing —
 * while a real Fastify server takes real HTTP load. The app must answer every request exactly
 * as the same app without routemeter does, no error may reach a handler or the process, each
 * fault kind is logged once, and what is lost is counted in `stats()`.
 */

class Conflict extends Error {
  readonly statusCode = 409
}

/** A deliberate failure of the app itself, answered by its error handler. */
class Deliberate extends Error {}

interface Planned {
  readonly request: LoadRequest
  readonly response: LoadResponse
}

/** Request `i` of the mix and the exact response the app gives without metrics. */
function plan(i: number): Planned {
  const json = 'application/json; charset=utf-8'
  switch (i % 8) {
    case 3:
      return {
        request: {
          method: 'POST',
          path: '/orders',
          body: `{"items":${i % 5}}`,
          headers: JSON_BODY,
        },
        response: { status: 201, contentType: json, body: `{"created":true,"items":${i % 5}}` },
      }
    case 4:
      return {
        request: { method: 'PUT', path: `/orders/${i}` },
        response: { status: 409, contentType: json, body: `{"error":"order ${i} is locked"}` },
      }
    case 5:
      return {
        request: { method: 'GET', path: `/broken?attempt=${i}` },
        response: { status: 500, contentType: json, body: '{"error":"storage offline"}' },
      }
    case 6:
      return {
        request: { method: 'GET', path: `/no/such/page/${i}?q=${i}` },
        response: {
          status: 404,
          contentType: json,
          body: `{"message":"Route GET:/no/such/page/${i}?q=${i} not found","error":"Not Found","statusCode":404}`,
        },
      }
    default:
      return {
        request: { method: 'GET', path: `/users/${i}` },
        response: { status: 200, contentType: json, body: `{"id":"${i}","name":"user ${i}"}` },
      }
  }
}

const JSON_BODY = { 'content-type': 'application/json' }

interface Subject {
  readonly app: FastifyInstance
  readonly port: number
  /** Errors that reached the app's error handler and were not the app's own. */
  readonly unexpected: unknown[]
}

/** The app under test; `metrics` undefined builds the metrics-free control. */
async function shop(metrics: RoutemeterOptions | undefined, log: FaultWarnings): Promise<Subject> {
  const unexpected: unknown[] = []
  const app = Fastify({
    logger: {
      level: 'warn',
      stream: { write: (line: string) => log.push(JSON.parse(line).msg) },
    },
  })
  if (metrics !== undefined) await app.register(routemeter, metrics)
  const measured = metrics !== undefined
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof Conflict) return reply.code(409).send({ error: error.message })
    if (!(error instanceof Deliberate)) unexpected.push(error)
    return reply.code(500).send({ error: (error as Error).message })
  })
  app.get<{ Params: { id: string } }>('/users/:id', async (request) => {
    const { id } = request.params
    const load = async () => ({ id, name: `user ${id}` })
    const user = measured ? await request.metrics.time('db.query', load) : await load()
    if (measured) {
      app.metrics.increment('users.read', { tier: Number(id) % 3 === 0 ? 'gold' : 'free' })
      app.metrics.timing('users.payload', id.length)
      app.metrics.gauge('users.last', Number(id))
      app.metrics.set('users.seen', id)
    }
    return user
  })
  app.post<{ Body: { items: number } }>('/orders', async (request, reply) => {
    if (measured) request.metrics.timer('orders.validate')()
    return reply.code(201).send({ created: true, items: request.body.items })
  })
  app.put<{ Params: { id: string } }>('/orders/:id', async (request) => {
    throw new Conflict(`order ${request.params.id} is locked`)
  })
  app.get('/broken', async () => {
    throw new Deliberate('storage offline')
  })
  const port = await listen(app)
  return { app, port, unexpected }
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
        if (mismatches.length < 5) mismatches.push(`#${i}: ${JSON.stringify(response)}`)
        else mismatches.push(`#${i}`)
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

const REQUESTS = 20_000
const MEMORY_REQUESTS = 200_000
const socketDir = mkdtempSync(path.join(tmpdir(), 'routemeter-absent-'))

interface Absence {
  readonly name: string
  readonly options: () => Promise<RoutemeterOptions>
  /** The fault kind that must be reported; `undefined` where the sender cannot know (UDP). */
  readonly fault: string | undefined
}

const ABSENCES: Absence[] = [
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
  // The figures the report quotes; printed, not asserted beyond the bounds above.
  if (Object.keys(measured).length > 0)
    console.info('Fastify, memory over load:', JSON.stringify(measured))
})

describe('StatsD absent: the Fastify app serves every request unchanged', () => {
  let watch: ProcessFaultWatch
  let subject: Subject | undefined
  beforeEach(() => {
    watch = watchProcessFaults()
  })
  afterEach(async () => {
    await subject?.app.close()
    subject = undefined
    watch.stop()
  })
  afterAll(() => rmSync(socketDir, { recursive: true, force: true }))

  it('the metrics-free control answers exactly as planned', async () => {
    subject = await shop(undefined, captureFaultWarnings())
    expect(await drive(subject.port, 4_000)).toEqual([])
    expect(subject.unexpected).toEqual([])
  })

  it.each(ABSENCES)(
    '$name: unchanged responses, no error reaches a handler or the process, one log line per fault kind, losses counted',
    async ({ options, fault }) => {
      const log = captureFaultWarnings()
      subject = await shop({ ...(await options()), flushIntervalMs: 20 }, log)
      const { app } = subject

      expect(await drive(subject.port, REQUESTS)).toEqual([])
      await app.close()

      expect(subject.unexpected).toEqual([])
      expect(watch.faults).toEqual([])
      const stats = app.metrics.stats()
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
        expect(Object.values(stats.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(kinds.length)
        // Nothing arrived anywhere, and all of it is counted as dropped.
        expect(stats.droppedLines).toBe(stats.lines)
        expect(stats.queuedBytes).toBe(0)
      }
    },
  )

  it.each([
    {
      name: 'TCP refused',
      options: async (): Promise<RoutemeterOptions> => ({
        protocol: 'tcp',
        port: await closedTcpPort(),
      }),
    },
    {
      name: 'a host name that does not resolve',
      options: async (): Promise<RoutemeterOptions> => ({ host: 'statsd.invalid' }),
    },
  ])(
    `$name, over ${MEMORY_REQUESTS.toLocaleString('en')} HTTP requests: memory stays bounded`,
    async ({ name, options }) => {
      const log = captureFaultWarnings()
      const maxQueueBytes = 256 * 1024
      subject = await shop({ ...(await options()), flushIntervalMs: 20, maxQueueBytes }, log)
      const { app, port } = subject
      // Warm up (JIT, Fastify's caches, a full send queue), then measure from a settled heap.
      expect(await drive(port, 20_000)).toEqual([])
      const seriesWarm = app.metrics.stats().series
      const before = settledMemory()
      let largestQueue = 0
      let checked = 0
      const mismatches = await drive(port, MEMORY_REQUESTS, () => {
        if (++checked % 500 === 0) {
          largestQueue = Math.max(largestQueue, app.metrics.stats().queuedBytes)
        }
      })
      const after = settledMemory()
      expect(mismatches).toEqual([])

      const stats = app.metrics.stats()
      measured[name] = {
        requests: MEMORY_REQUESTS,
        heapGrowthBytes: after.heapUsed - before.heapUsed,
        externalGrowthBytes: after.external - before.external,
        rssGrowthBytes: after.rss - before.rss,
        lines: stats.lines,
        droppedLines: stats.droppedLines,
        largestQueue,
        gc: after.collected,
      }
      // Structural bounds: the queue never passes its limit, series do not grow with requests.
      expect(largestQueue).toBeLessThanOrEqual(maxQueueBytes)
      expect(stats.series).toBe(seriesWarm)
      // Heap and Buffers: a leak of even 50 bytes a request would be 10 MB here.
      const margin = after.collected ? 8 * 1024 * 1024 : 64 * 1024 * 1024
      expect(after.heapUsed - before.heapUsed).toBeLessThan(margin)
      expect(after.external - before.external).toBeLessThan(margin)
      // What could not be sent is counted, not held: everything but the bounded queue is dropped.
      expect(stats.droppedLines).toBeGreaterThan(stats.lines * 0.9)
      expect(log.byKind()).toEqual(
        Object.fromEntries(Object.keys(stats.faults).map((kind) => [kind, 1])),
      )
      expect(watch.faults).toEqual([])
      expect(subject.unexpected).toEqual([])
    },
  )
})
