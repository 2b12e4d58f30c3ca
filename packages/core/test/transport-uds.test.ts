import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeter } from '../src/index'
import { unixDgramUnavailable } from '../src/transport/unix-dgram'

// hot-shots' Unix datagram transport is the native `unix-dgram` module; the test binds a
// receiving socket with the same module.
interface UnixDgramSocket {
  bind(path: string): void
  close(): void
  on(event: 'message', listener: (message: Buffer) => void): void
  on(event: 'error', listener: (error: Error) => void): void
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): UnixDgramSocket
}
// unix-dgram is compiled at install; a machine without a C/C++ toolchain has none. These tests
// then show as skipped, with the reason, never as passed.
const unavailable = unixDgramUnavailable()
const unixDgram =
  unavailable === undefined
    ? (createRequire(require.resolve('hot-shots'))('unix-dgram') as UnixDgram)
    : undefined
const skipReason =
  unavailable === undefined ? '' : ` — SKIPPED: unix-dgram native addon not built (${unavailable})`
// Reporters list skipped tests only when verbose: say it where every reporter shows it.
if (unavailable !== undefined) console.warn(`UDS transport tests${skipReason}`)

describe.skipIf(unixDgram === undefined)(
  `UDS transport (Unix datagram socket)${skipReason}`,
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'routemeter-uds-'))
    afterEach(() => rmSync(dir, { recursive: true, force: true }))

    it('sends batched datagrams to the socket path', async () => {
      const socketPath = path.join(dir, 'dsd.socket')
      const received: string[] = []
      const server = (unixDgram as UnixDgram).createSocket('unix_dgram')
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
  },
)

describe('protocol "uds" where unix-dgram cannot be loaded', () => {
  // Runs in a child process whose module loader refuses unix-dgram the way a machine without
  // the built addon does ("Could not locate the bindings file"): the addon is present here.
  it('createMeter fails at once with a RoutemeterOptionError naming the option, not at the first send', async () => {
    const script = `
      const Module = require('node:module')
      const load = Module._load
      Module._load = function (request, ...rest) {
        if (request === 'unix-dgram') throw new Error('Could not locate the bindings file. Tried: build/Release/unix_dgram.node')
        return load.call(this, request, ...rest)
      }
      const { createMeter } = require('@routemeter/core')
      try {
        const meter = createMeter({ protocol: 'uds', path: '/tmp/routemeter-absent.socket', logger: { warn() {} } })
        meter.increment('x')
        meter.close().then(() => console.log(JSON.stringify({ created: true, stats: meter.stats() })))
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, option: error.option, message: error.message }))
      }
    `
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { cwd: `${__dirname}/..` }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    )
    const result = JSON.parse(out)
    expect(result).toMatchObject({ name: 'RoutemeterOptionError', option: 'protocol' })
    expect(result.message).toContain('"protocol"')
    expect(result.message).toContain('unix-dgram')
    expect(result.message).toContain('Could not locate the bindings file')
  })
})
