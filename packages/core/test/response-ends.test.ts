import { once } from 'node:events'
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { garbageCollector } from '@routemeter/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { ResponseEnds } from '../src/adapter'

interface Ended {
  readonly subject: { readonly url: string }
  readonly status: number
}

let server: Server | undefined
afterEach(closeServer)

async function closeServer(): Promise<void> {
  server?.closeAllConnections()
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve))
  server = undefined
}

/** A real HTTP/1.1 server whose handler watches every response with each of `ends`. */
async function serve(
  ends: ReadonlyArray<ResponseEnds<{ url: string }>>,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<number> {
  server = createServer((req, res) => {
    for (const watcher of ends) watcher.watch(res, { url: req.url ?? '' })
    handle(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

function get(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path, agent, host: '127.0.0.1' }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

describe("ResponseEnds on Node's HTTP/1.1 server", () => {
  it('adds no listener to a response and one close listener per connection, and sees each end once', async () => {
    const ended: Ended[] = []
    const ends = new ResponseEnds<{ url: string }>((subject, status) =>
      ended.push({ subject, status }),
    )
    const listeners: Array<{ finish: number; close: number; socketClose: number }> = []
    const ownKeysAdded: number[] = []
    let lastSocket: object | undefined
    const port = await serve([], (req, res) => {
      const before = { finish: res.listenerCount('finish'), close: res.listenerCount('close') }
      const keys = Reflect.ownKeys(res).length
      ends.watch(res, { url: req.url ?? '' })
      // Nothing on the response itself: a property added there is a new hidden class per request.
      ownKeysAdded.push(Reflect.ownKeys(res).length - keys)
      lastSocket = req.socket
      listeners.push({
        finish: res.listenerCount('finish') - before.finish,
        close: res.listenerCount('close') - before.close,
        socketClose: req.socket.listenerCount('close'),
      })
      res.statusCode = req.url === '/missing' ? 404 : 200
      res.end('ok')
    })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const statuses: number[] = []
    for (const path of ['/a', '/b', '/missing', '/c']) statuses.push(await get(port, path, agent))
    await expect.poll(() => ended.length).toBe(4)
    // The idle keep-alive connection holds neither its last response nor its subject.
    const held = Object.getOwnPropertySymbols(lastSocket).map(
      (key) => (lastSocket as Record<symbol, unknown>)[key],
    )
    expect(
      held.some((value) => typeof value === 'object' && value !== null && 'url' in value),
    ).toBe(false)
    expect(held.some((value) => value instanceof Object && 'statusCode' in value)).toBe(false)
    agent.destroy()
    expect(statuses).toEqual([200, 200, 404, 200])
    expect(ownKeysAdded).toEqual([0, 0, 0, 0])
    expect(ended.map((e) => `${e.subject.url} ${e.status}`)).toEqual([
      '/a 200',
      '/b 200',
      '/missing 404',
      '/c 200',
    ])
    expect(listeners.map((l) => [l.finish, l.close])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ])
    // One connection: the socket's close listeners do not grow with its requests.
    expect(new Set(listeners.map((l) => l.socketClose)).size).toBe(1)
  })

  it('a client that leaves before the response is 499, once; a later request on another connection is unaffected', async () => {
    const ended: Ended[] = []
    const ends = new ResponseEnds<{ url: string }>((subject, status) =>
      ended.push({ subject, status }),
    )
    let arrived = false
    const port = await serve([ends], (req, res) => {
      if (req.url === '/hang') {
        arrived = true
        return
      }
      res.end('ok')
    })
    const leaving = httpRequest({ port, path: '/hang', host: '127.0.0.1' })
    leaving.on('error', () => {})
    leaving.end()
    await expect.poll(() => arrived).toBe(true)
    leaving.destroy()
    await expect.poll(() => ended.length).toBe(1)
    expect(ended[0]).toEqual({ subject: { url: '/hang' }, status: 499 })
    const agent = new Agent()
    expect(await get(port, '/fine', agent)).toBe(200)
    agent.destroy()
    await expect.poll(() => ended.length).toBe(2)
    expect(ended[1]).toEqual({ subject: { url: '/fine' }, status: 200 })
  })

  it('two instances watching one response each get its end once', async () => {
    const first: Ended[] = []
    const second: Ended[] = []
    const a = new ResponseEnds<{ url: string }>((subject, status) =>
      first.push({ subject, status }),
    )
    const b = new ResponseEnds<{ url: string }>((subject, status) =>
      second.push({ subject, status }),
    )
    const port = await serve([a, b], (_req, res) => {
      res.statusCode = 201
      res.end()
    })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    for (let i = 0; i < 20; i++) await get(port, `/r${i}`, agent)
    agent.destroy()
    await expect.poll(() => first.length + second.length).toBe(40)
    expect(first.map((e) => e.subject.url)).toEqual(second.map((e) => e.subject.url))
    expect(new Set(first.map((e) => e.subject.url)).size).toBe(20)
    expect(first.every((e) => e.status === 201)).toBe(true)
  })
})

describe('ResponseEnds instances listed for the diagnostics channel', () => {
  it('an idle instance stays listed alone and is unlisted when another joins, one with a response in flight stays; each sees every end once', async () => {
    const seen = { a: [] as string[], b: [] as string[], c: [] as string[] }
    const watcher = (list: string[]) =>
      new ResponseEnds<{ url: string }>((subject, status) => list.push(`${subject.url} ${status}`))
    const a = watcher(seen.a)
    const b = watcher(seen.b)
    const c = watcher(seen.c)
    const release: Array<() => void> = []
    let held = false
    // The first path segment names the instances that watch the response; /hold/ ones are
    // answered when the test says.
    const port = await serve([], (req, res) => {
      const [, who = '', hold] = (req.url ?? '').split('/')
      for (const name of who)
        ({ a, b, c })[name as 'a' | 'b' | 'c'].watch(res, { url: req.url ?? '' })
      if (hold === 'hold') {
        held = true
        release.push(() => res.end('late'))
      } else res.end('ok')
    })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const other = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      await get(port, '/a/1', agent)
      await get(port, '/a/2', agent)
      // All its responses ended (the client can read one before the server's end is seen):
      // alone, it stays listed (no Set delete and add per request).
      await expect.poll(() => seen.a).toEqual(['/a/1 200', '/a/2 200'])
      expect(a.listed).toBe(true)

      await get(port, '/b/1', agent)
      // Another joined while it was idle: it is let go, not held by the process-wide list.
      expect([a.listed, b.listed]).toEqual([false, true])

      // a back with a response in flight (on another connection): the idle b is let go…
      const late = get(port, '/a/hold', other)
      await expect.poll(() => held).toBe(true)
      expect([a.listed, b.listed]).toEqual([true, false])
      // …and a, still waiting for its end, stays listed whoever joins.
      await get(port, '/b/2', agent)
      // b idle again before c joins.
      await expect.poll(() => seen.b.length).toBe(2)
      await get(port, '/c/1', agent)
      expect([a.listed, b.listed, c.listed]).toEqual([true, false, true])
      for (const answer of release) answer()
      expect(await late).toBe(200)
      await expect.poll(() => seen.a.length).toBe(3)
      // Idle again, and the last to join was c: a stays listed until the next one joins.
      expect(a.listed).toBe(true)

      // All three on one response: each lists itself again and sees it.
      await get(port, '/abc/1', agent)
      expect([a.listed, b.listed, c.listed]).toEqual([true, true, true])
      await expect.poll(() => seen.c.length).toBe(2)
    } finally {
      agent.destroy()
      other.destroy()
    }
    // Every end exactly once, to each instance that watched it.
    expect(seen).toEqual({
      a: ['/a/1 200', '/a/2 200', '/a/hold 200', '/abc/1 200'],
      b: ['/b/1 200', '/b/2 200', '/abc/1 200'],
      c: ['/c/1 200', '/abc/1 200'],
    })
  })
  it('an idle instance let go when another joins is not held by the list once its app is gone', async (context) => {
    const gc = garbageCollector()
    if (gc === undefined) context.skip('no garbage collector to call')
    // An app created, served and closed, as one test of a suite does; only a WeakRef is kept.
    const first = await (async () => {
      let count = 0
      const ends = new ResponseEnds<{ url: string }>(() => {
        count++
      })
      const port = await serve([ends], (_req, res) => res.end('ok'))
      const agent = new Agent({ keepAlive: true })
      await get(port, '/first', agent)
      await expect.poll(() => count).toBe(1)
      agent.destroy()
      await closeServer()
      return new WeakRef(ends)
    })()
    const next = new ResponseEnds<{ url: string }>(() => {})
    const port = await serve([next], (_req, res) => res.end('ok'))
    const agent = new Agent({ keepAlive: true })
    await get(port, '/next', agent)
    agent.destroy()
    // A WeakRef's target lives until the end of the job that made or read it.
    await new Promise((resolve) => setImmediate(resolve))
    gc?.()
    expect(first.deref()).toBeUndefined()
    expect(next.listed).toBe(true)
  })
})
