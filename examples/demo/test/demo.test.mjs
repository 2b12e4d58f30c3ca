import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const DEMO = fileURLToPath(new URL('../src/demo.mjs', import.meta.url))
const running = new Set()

/**
 * Runs the demo as `pnpm demo -- …args` would, its output a pipe (not a terminal, no COLUMNS:
 * it lays out for 80 columns) and its temporary files in `tmp`; `onOutput` may act on what it
 * prints so far.
 */
function runDemo(args, onOutput = () => {}, tmp = tmpdir()) {
  const { COLUMNS: _, ...env } = process.env
  const child = spawn(process.execPath, [DEMO, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...env, NO_COLOR: '1', TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  const collect = (chunk) => {
    output += chunk
    onOutput(output, child)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve({ code, signal, output })
    }),
  )
}

afterEach(() => {
  for (const child of running) child.kill('SIGKILL')
})

/** True when nothing accepts connections on the port any more. */
function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

/** Every port the demo's children listened on is closed again: nothing was left running. */
async function expectEverythingStopped(output) {
  const appPorts = [...output.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) =>
    Number(m[1]),
  )
  const management = Number(/management port (\d+)/.exec(output)?.[1])
  const metrics = Number(
    /Prometheus totals at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(output)?.[1],
  )
  expect(appPorts).toHaveLength(2)
  expect(management).toBeGreaterThan(0)
  expect(metrics).toBeGreaterThan(0)
  for (const port of [...appPorts, management, metrics]) expect(await refused(port)).toBe(true)
}

/** Not a terminal: plain lines, none over 80 columns, no cursor movement. */
function expectPlain80(output) {
  const lines = output.split('\n')
  expect(lines.filter((line) => line.length > 80)).toEqual([])
  expect(output).not.toContain('\x1b')
}

function requestsMatched(output) {
  const match = /✓ counts match: statsd received exactly the (\d+) requests/.exec(output)
  return match === null ? 0 : Number(match[1])
}

/** What the Express cluster's /metrics showed, when it equalled what was sent to it. */
function scrapeMatched(output) {
  const match =
    /✓ counts match: \/metrics showed exactly the (\d+) requests sent to express-shop,\s+summed over its 2 workers/.exec(
      output,
    )
  return match === null ? 0 : Number(match[1])
}

describe('pnpm demo', () => {
  it('runs traffic against both apps, prints the table read back from statsd, checks the counts and exits 0', async () => {
    const { code, output } = await runDemo(['--duration', '3'])
    expect(code, output).toBe(0)
    expect(requestsMatched(output), output).toBeGreaterThan(100)
    // Express's share of what statsd counted, read from its cluster's /metrics instead.
    expect(scrapeMatched(output), output).toBeGreaterThan(50)
    expect(scrapeMatched(output)).toBeLessThan(requestsMatched(output))
    expect(output).toMatch(/PROMETHEUS_PORT=0/)
    expect(output).toContain('fastify-shop · Fastify · tag style · 1 process')
    expect(output).toContain('express-shop · Express · path style · cluster of 2 workers')
    for (const row of [
      '/api/products/:id',
      '/api/carts/:cartId/checkout',
      '/api/reports/sales',
      '(unmatched)',
    ]) {
      expect(output).toContain(row)
    }
    expect(output).toMatch(/payment\.charge\s+\/api\/carts\/:cartId\/checkout\s+POST/)
    expect(output).toMatch(
      /summed over 2 workers\s+\(worker 1\s+answered\s+\d+,\s+worker 2\s+answered\s+\d+/,
    )
    expect(output).toMatch(/^ {2}1\/3 s sent \d+/m)
    expectPlain80(output)
    expect(output).toContain('✓ both apps shut down cleanly (exit 0) after flushing')
    expect(output).toMatch(/, 0 bad lines/)
    await expectEverythingStopped(output)
  })

  it('on Ctrl-C stops the traffic, still shows the checked table, stops every child and exits 0', async () => {
    let sent = false
    const { code, signal, output } = await runDemo(
      ['--duration', '60', '--style', 'tags', '--protocol', 'tcp'],
      (text, child) => {
        if (!sent && text.includes('2/60 s')) {
          sent = true
          child.kill('SIGINT')
        }
      },
    )
    expect({ code, signal }, output).toEqual({ code: 0, signal: null })
    expect(output).toContain('interrupted: stopping the traffic')
    expect(output).toContain('express-shop · Express · tag style · cluster of 2 workers')
    expect(requestsMatched(output), output).toBeGreaterThan(50)
    expect(scrapeMatched(output), output).toBeGreaterThan(20)
    await expectEverythingStopped(output)
  })

  it('when the terminal closes (SIGHUP) stops every child and removes its temporary folder, like Ctrl-C', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'routemeter-demo-test-'))
    try {
      let sent = false
      const { code, signal, output } = await runDemo(
        ['--duration', '60'],
        (text, child) => {
          if (!sent && text.includes('2/60 s')) {
            sent = true
            child.kill('SIGHUP')
          }
        },
        tmp,
      )
      expect({ code, signal }, output).toEqual({ code: 0, signal: null })
      expect(output).toContain('interrupted: stopping the traffic')
      await expectEverythingStopped(output)
      expect(readdirSync(tmp)).toEqual([])
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })

  it('fails with a clear message when the statsd port is taken', async () => {
    const squatter = dgram.createSocket('udp4')
    await new Promise((resolve) => squatter.bind(0, '127.0.0.1', resolve))
    const { port } = squatter.address()
    try {
      const { code, output } = await runDemo(['--statsd-port', String(port)])
      expect(code, output).toBe(1)
      expect(output).toContain(
        `✗ demo failed: cannot use UDP port ${port} on 127.0.0.1: EADDRINUSE`,
      )
      expect(output).not.toContain('starting fastify-shop')
    } finally {
      squatter.close()
    }
  })

  it('rejects an unknown option with the usage', async () => {
    const { code, output } = await runDemo(['--style', 'graphite'])
    expect(code).toBe(2)
    expect(output).toContain('--style must be mixed, tags or path, got "graphite"')
    expect(output).toContain('usage: npm run demo -- [options]')
  })
})
