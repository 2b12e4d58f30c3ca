import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http'
import type { Socket } from 'node:net'
import { type CaptureMeter, createCaptureMeter } from '@routemeter/core/testing'
import { type Deferred, deferred, openRawConnection, rawRequest } from '@routemeter/test-support'
import type { Express, NextFunction, Request, Response } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { type RoutemeterMiddleware, type RoutemeterOptions, routemeter } from '../src/index'
import { closeServer, listen, until } from './support/async'
import { type ExpressFactory, MAJORS } from './support/harness'

/**
 * The tracker (`req.metrics`) lives on the connection, not on `req`: these pin that nothing is
 * added to `req` or `res` on a plain keep-alive connection, and that each request still finds its
 * own tracker — after its response went out while the next request is in flight, when requests
 * are pipelined, and around excluded paths that share the connection.
 */

interface Subject {
  readonly app: Express
  readonly metrics: RoutemeterMiddleware
  readonly capture: CaptureMeter
  /** What the meter's logger was told: a misorder warning here means a tracker was lost. */
  readonly warnings: string[]
  /** Own keys of each request's `req` and `res`, right before and right after routemeter. */
  readonly keys: Map<IncomingMessage, { before: number[]; after: number[] }>
  /** Every connection a request arrived on. */
  readonly sockets: Set<Socket>
}

/**
 * An app with routemeter mounted between two middleware that count `req`'s and `res`'s own
 * keys. Kept in a map by request: the counting itself must add nothing to them.
 */
function measuredApp(express: ExpressFactory, options: RoutemeterOptions = {}): Subject {
  const warnings: string[] = []
  const capture = createCaptureMeter({ prefix: null, logger: { warn: (m) => warnings.push(m) } })
  const metrics = routemeter({ meter: capture.meter, ...options })
  const keys = new Map<IncomingMessage, { before: number[]; after: number[] }>()
  const sockets = new Set<Socket>()
  const app = express()
  app.use((req: Request, res: Response, next: NextFunction) => {
    keys.set(req, { before: [Reflect.ownKeys(req).length, Reflect.ownKeys(res).length], after: [] })
    sockets.add(req.socket)
    next()
  })
  app.use(metrics)
  app.use((req: Request, res: Response, next: NextFunction) => {
    const entry = keys.get(req)
    if (entry !== undefined)
      entry.after = [Reflect.ownKeys(req).length, Reflect.ownKeys(res).length]
    next()
  })
  return { app, metrics, capture, warnings, keys, sockets }
}

/** Before and after routemeter, per request: equal pairs when it added nothing. */
function keyCounts(subject: Subject): Array<[number[], number[]]> {
  return [...subject.keys.values()].map(({ before, after }) => [before, after])
}

function unchanged(subject: Subject): Array<[number[], number[]]> {
  return [...subject.keys.values()].map(({ before }) => [before, before])
}

function get(port: number, path: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path, agent, host: '127.0.0.1' }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    // A handler that threw before answering fails the test in seconds, not at the test timeout.
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer to ${path}`)))
    req.end()
  })
}

/** The route tag of every sample named `name`, one entry per sample value. */
function routesOf(capture: CaptureMeter, name: string): string[] {
  return capture
    .find(name)
    .flatMap((sample) => sample.values.map(() => sample.tags.route ?? '(none)'))
    .sort()
}

describe.each(MAJORS)('$major: the tracker kept on the connection', ({ express }) => {
  let server: Server | undefined
  let subject: Subject | undefined
  const agents: Agent[] = []
  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy()
    if (server !== undefined) await closeServer(server)
    server = undefined
    await subject?.metrics.close()
    await subject?.capture.meter.close()
    subject = undefined
  })

  async function serve(app: Express): Promise<number> {
    server = createServer(app)
    return listen(server)
  }

  function keepAlive(): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    agents.push(agent)
    return agent
  }

  it('adds nothing to req or res on keep-alive connections, and req.metrics is each request’s own tracker', async () => {
    subject = measuredApp(express)
    const { app, capture, warnings } = subject
    // Each round holds a request on each of two connections until both are in: the one that
    // arrived first then reads req.metrics while the other is the latest request routemeter saw,
    // so it is found through its own connection.
    let waiting: Deferred | undefined
    async function bothArrived(): Promise<void> {
      if (waiting === undefined) {
        waiting = deferred()
        await waiting.promise
        return
      }
      waiting.resolve()
      waiting = undefined
    }
    for (const prefix of ['/a', '/b']) {
      app.get(`${prefix}/:id`, async (req: Request, res: Response) => {
        await bothArrived()
        res.send(req.metrics.time('work', () => `${prefix} ${req.params.id}`))
      })
    }
    const port = await serve(app)
    const a = keepAlive()
    const b = keepAlive()
    for (let i = 0; i < 3; i++) {
      const [fromA, fromB] = await Promise.all([get(port, `/a/${i}`, a), get(port, `/b/${i}`, b)])
      expect(fromA.body).toBe(`/a ${i}`)
      expect(fromB.body).toBe(`/b ${i}`)
    }
    await capture.meter.flush()

    // Six requests on two connections, three each.
    expect(subject.sockets.size).toBe(2)
    expect(subject.keys.size).toBe(6)
    expect(keyCounts(subject)).toEqual(unchanged(subject))
    expect(routesOf(capture, 'work')).toEqual([
      ...Array(3).fill('/a/:id'),
      ...Array(3).fill('/b/:id'),
    ])
    expect(capture.counter('http.server.requests', { route: '/a/:id', status_code: '200' })).toBe(3)
    expect(capture.counter('http.server.requests', { route: '/b/:id', status_code: '200' })).toBe(3)
    expect(warnings).toEqual([])
  })

  it('timers started after the response, while the next request on the connection is in, land under the first request’s route', async () => {
    subject = measuredApp(express)
    const { app, capture, warnings } = subject
    const secondArrived = deferred()
    const firstDone = deferred()
    app.get('/first/:id', async (req: Request, res: Response) => {
      res.send('first')
      // By now the connection carries the next request: the slot has moved on to it.
      await secondArrived.promise
      // Released also if req.metrics throws: the test then fails on its assertions, not on a hang.
      try {
        const stop = req.metrics.timer('after.send')
        await req.metrics.time('after.send', async () => {})
        stop()
      } finally {
        firstDone.resolve()
      }
    })
    app.get('/second', async (_req: Request, res: Response) => {
      secondArrived.resolve()
      // Held until the first handler has timed: one request back is what the slot keeps.
      await firstDone.promise
      res.send('second')
    })
    const port = await serve(app)
    const agent = keepAlive()
    expect((await get(port, '/first/1', agent)).body).toBe('first')
    expect((await get(port, '/second', agent)).body).toBe('second')
    await capture.meter.flush()

    expect(subject.sockets.size).toBe(1)
    expect(routesOf(capture, 'after.send')).toEqual(['/first/:id', '/first/:id'])
    expect(capture.counter('http.server.requests', { route: '/first/:id' })).toBe(1)
    expect(capture.counter('http.server.requests', { route: '/second' })).toBe(1)
    expect(capture.counter('http.server.requests')).toBe(2)
    expect(keyCounts(subject)).toEqual(unchanged(subject))
    expect(warnings).toEqual([])
  })

  it('timers after the response, once the next request on the connection has ended too, still land under the first route; two requests later they record nothing and say so once', async () => {
    subject = measuredApp(express)
    const { app, capture, warnings } = subject
    const gates = new Map<string, Deferred<void>>()
    const done = new Map<string, Deferred<void>>()
    for (const path of ['/late/1', '/late/2']) {
      gates.set(path, deferred())
      done.set(path, deferred())
    }
    app.get('/late/:id', async (req: Request, res: Response) => {
      res.send('late')
      await gates.get(req.path)?.promise
      try {
        req.metrics.timer('after.send')()
      } finally {
        done.get(req.path)?.resolve()
      }
    })
    app.get('/next/:id', (_req: Request, res: Response) => {
      res.send('next')
    })
    const port = await serve(app)
    const agent = keepAlive()
    // One request later, answered in full: the first is still found.
    await get(port, '/late/1', agent)
    await get(port, '/next/1', agent)
    gates.get('/late/1')?.resolve()
    await done.get('/late/1')?.promise
    // Two requests later: not found any more.
    await get(port, '/late/2', agent)
    await get(port, '/next/2', agent)
    await get(port, '/next/3', agent)
    gates.get('/late/2')?.resolve()
    await done.get('/late/2')?.promise
    await capture.meter.flush()

    expect(subject.sockets.size).toBe(1)
    expect(routesOf(capture, 'after.send')).toEqual(['/late/:id'])
    expect(capture.counter('http.server.requests')).toBe(5)
    // Not the misorder warning: the mount order is right.
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/after its response had gone out/)
    expect(warnings[0]).toMatch(/req\.metrics\.timer\(name\)/)
  })

  it('an excluded request pipelined behind a slow one gets working no-op timers', async () => {
    subject = measuredApp(express, { exclude: ['/health'] })
    const { app, capture, warnings } = subject
    const release = deferred()
    const outcome: string[] = []
    app.get('/slow/:id', async (_req: Request, res: Response) => {
      await release.promise
      res.send('slow')
    })
    app.get('/health', (req: Request, res: Response) => {
      try {
        outcome.push(req.metrics.time('health.check', () => 'ok'))
      } catch (error) {
        outcome.push(String(error))
      }
      res.send('ok')
    })
    const connection = await openRawConnection(await serve(app))
    connection.write(rawRequest('GET', '/slow/1') + rawRequest('GET', '/health'))
    await until(() => outcome.length === 1, 'the pipelined /health handler ran')
    release.resolve()
    await until(() => connection.statuses().length === 2, 'both answered')
    connection.abort()
    await capture.meter.flush()

    expect(outcome).toEqual(['ok'])
    expect(capture.find('health.check')).toEqual([])
    expect(capture.counter('http.server.requests')).toBe(1)
    expect(warnings).toEqual([])
  })

  it('pipelined requests: each measured once under its own route, each handler with its own tracker, also after its response', async () => {
    subject = measuredApp(express)
    const { app, capture, warnings, metrics } = subject
    const allStarted = deferred()
    const answered = deferred()
    const trackers: unknown[] = []
    // Every handler waits until all three have started: the first (carried by the connection)
    // and the queued two (on their requests) all read req.metrics with the others in flight,
    // and again once every response is out.
    async function handle(req: Request, res: Response, body: string): Promise<void> {
      trackers.push(req.metrics)
      await allStarted.promise
      req.metrics.time('handler', () => undefined)
      res.send(body)
      await answered.promise
      req.metrics.timer('after.send')()
    }
    // Passes each request on a turn later, as a body parser does: the route layers of each then
    // run with the others already in, so each request's tracker is looked up, not just handed on.
    app.use((_req: Request, _res: Response, next: NextFunction) => {
      setImmediate(next)
    })
    app.get('/p/slow', (req: Request, res: Response) => handle(req, res, 'slow'))
    app.get('/p/item/:id', (req: Request, res: Response) => handle(req, res, 'item'))
    app.get('/p/last', (req: Request, res: Response) => handle(req, res, 'last'))
    const port = await serve(app)
    const connection = await openRawConnection(port)
    connection.write(
      rawRequest('GET', '/p/slow') + rawRequest('GET', '/p/item/7') + rawRequest('GET', '/p/last'),
    )
    await until(() => metrics.meter.stats().activeRequests === 3, 'all three requests started')
    allStarted.resolve()
    await until(() => connection.statuses().length === 3, 'three responses')
    await until(() => metrics.meter.stats().activeRequests === 0, 'every request ended')
    answered.resolve()
    // The handlers' last timers run on the resolution's microtasks; a macrotask later they ran.
    await new Promise((resolve) => setImmediate(resolve))
    connection.abort()
    await capture.meter.flush()

    expect(connection.statuses()).toEqual([200, 200, 200])
    expect(new Set(trackers).size).toBe(3)
    const routes = ['/p/item/:id', '/p/last', '/p/slow']
    expect(routesOf(capture, 'http.server.requests')).toEqual(routes)
    expect(capture.counter('http.server.requests')).toBe(3)
    expect(routesOf(capture, 'handler')).toEqual(routes)
    expect(routesOf(capture, 'after.send')).toEqual(routes)
    expect(warnings).toEqual([])
  })

  it('an excluded path between measured requests on one connection: counts exact, excluded never recorded, its req.metrics silent', async () => {
    subject = measuredApp(express, { exclude: ['/health'] })
    const { app, capture, warnings } = subject
    let healthChecks = 0
    const nextArrived = deferred()
    const healthDone = deferred()
    app.get('/health', async (req: Request, res: Response) => {
      healthChecks++
      const first = healthChecks === 1
      // Released also if req.metrics throws: the test then fails on its assertions, not on a hang.
      try {
        res.send(req.metrics.time('health.check', () => 'ok'))
        req.metrics.timer('health.timer')()
        if (!first) return
        // The first check reads req.metrics again once the next request has the connection.
        await nextArrived.promise
        req.metrics.time('health.after', () => undefined)
      } finally {
        if (first) healthDone.resolve()
      }
    })
    app.get('/users/:id', async (req: Request, res: Response) => {
      nextArrived.resolve()
      await healthDone.promise
      res.send(req.metrics.time('db.query', () => `user ${req.params.id}`))
    })
    const port = await serve(app)
    const agent = keepAlive()
    const bodies: string[] = []
    for (const path of ['/health', '/users/1', '/health', '/users/2', '/health', '/users/3']) {
      bodies.push((await get(port, path, agent)).body)
    }
    await capture.meter.flush()

    expect(bodies).toEqual(['ok', 'user 1', 'ok', 'user 2', 'ok', 'user 3'])
    expect(subject.sockets.size).toBe(1)
    expect(subject.keys.size).toBe(6)
    expect(keyCounts(subject)).toEqual(unchanged(subject))
    expect(capture.counter('http.server.requests')).toBe(3)
    expect(
      capture.counter('http.server.requests', { route: '/users/:id', status_code: '200' }),
    ).toBe(3)
    expect(routesOf(capture, 'db.query')).toEqual(['/users/:id', '/users/:id', '/users/:id'])
    expect(capture.lines().filter((line) => line.includes('health'))).toEqual([])
    expect(warnings).toEqual([])
  })
})
