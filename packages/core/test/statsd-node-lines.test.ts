import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startStatsdDaemon } from '../src/testing'
import { STATSD_NODE_COMPAT } from '../src/testing/statsd-daemon'

// statsd 0.9 calls util.log, which Node 23 removed. These tests take it away on whatever Node
// runs them, so the preload is proven on Node 20 and 22 too, not only where util.log is gone.
const dir = mkdtempSync(path.join(tmpdir(), 'routemeter-node-lines-'))
const removeUtilLog = path.join(dir, 'remove-util-log.cjs')
writeFileSync(removeUtilLog, "delete require('node:util').log\n")
const compat = path.join(dir, 'node-compat.cjs')
writeFileSync(compat, STATSD_NODE_COMPAT)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runNode(preloads: string[], code: string): string {
  const args = preloads.flatMap((file) => ['--require', file])
  return execFileSync(process.execPath, [...args, '-e', code], { encoding: 'utf8' })
}

describe('the statsd daemon on Node lines without util.log', () => {
  it('the preload defines util.log in its old format where it is missing', () => {
    const out = runNode([removeUtilLog, compat], "require('node:util').log('reading %s', 'x')")
    expect(out).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d\d:\d\d:\d\d - reading x\n$/)
  })

  it('without the preload the daemon’s call fails, as it does on Node 24 and 26', () => {
    expect(() => runNode([removeUtilLog], "require('node:util').log('x')")).toThrow(
      /log is not a function/,
    )
  })

  it('the preload leaves a util.log that exists alone', () => {
    const own = path.join(dir, 'own-util-log.cjs')
    writeFileSync(own, "require('node:util').log = (m) => console.log('own ' + m)\n")
    expect(runNode([own, compat], "require('node:util').log('x')")).toBe('own x\n')
  })

  it('StatsdDaemon starts and counts on a Node without util.log', async () => {
    // NODE_OPTIONS preloads run before the command line's, so the daemon starts without util.log.
    const saved = process.env.NODE_OPTIONS
    process.env.NODE_OPTIONS = `${saved ?? ''} --require ${removeUtilLog}`.trim()
    const daemon = await startStatsdDaemon().finally(() => {
      if (saved === undefined) delete process.env.NODE_OPTIONS
      else process.env.NODE_OPTIONS = saved
    })
    try {
      const { createSocket } = await import('node:dgram')
      const socket = createSocket('udp4')
      await new Promise<void>((resolve, reject) =>
        socket.send('node_lines.probe:3|c', daemon.port, daemon.host, (error) =>
          error ? reject(error) : resolve(),
        ),
      )
      socket.close()
      const counters = await daemon.waitForCounters((c) => c['node_lines.probe'] === 3)
      expect(counters['node_lines.probe']).toBe(3)
    } finally {
      await daemon.close()
    }
  })
})
