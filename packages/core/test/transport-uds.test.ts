import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeter } from '../src/index'

// hot-shots' Unix datagram transport is the native `unix-dgram` module; the test binds a
// receiving socket with the same module.
interface UnixDgramSocket {
  bind(path: string): void
  close(): void
  on(event: 'message', listener: (message: Buffer) => void): void
  on(event: 'error', listener: (error: Error) => void): void
}
const unixDgram = createRequire(require.resolve('hot-shots'))('unix-dgram') as {
  createSocket(type: 'unix_dgram'): UnixDgramSocket
}

describe('UDS transport (Unix datagram socket)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'routemeter-uds-'))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('sends batched datagrams to the socket path', async () => {
    const socketPath = path.join(dir, 'dsd.socket')
    const received: string[] = []
    const server = unixDgram.createSocket('unix_dgram')
    server.on('message', (message) => received.push(...message.toString().split('\n')))
    server.on('error', () => {})
    server.bind(socketPath)
    const meter = createMeter({ protocol: 'uds', path: socketPath })
    for (let i = 0; i < 100; i++) meter.route('/u').record('GET', 200, i)
    await meter.close()
    const deadline = Date.now() + 5_000
    while (received.length < 101 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10))
    server.close()
    expect(received.filter((line) => line.startsWith('http.server.duration:'))).toHaveLength(100)
    expect(received).toContain(
      'http.server.requests:100|c|#route:/u,method:GET,status_code:200,status_class:2xx',
    )
  })

  it('a missing socket path: nothing throws, drops are counted and logged once', async () => {
    const warnings: string[] = []
    const meter = createMeter({
      protocol: 'uds',
      path: path.join(dir, 'absent.socket'),
      logger: { warn: (m) => warnings.push(m) },
    })
    for (let i = 0; i < 5; i++) {
      meter.route('/').record('GET', 200, 1)
      await meter.flush()
    }
    await meter.close()
    const stats = meter.stats()
    expect(stats.lines).toBe(10)
    expect(stats.droppedLines).toBe(10)
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    expect(warnings.length).toBeLessThanOrEqual(2)
  })
})
