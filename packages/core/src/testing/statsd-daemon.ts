import { type ChildProcess, spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface StatsdDaemonOptions {
  /** Transport the daemon listens on. Default `udp`. */
  protocol?: 'udp' | 'tcp'
  /** Extra keys merged into the daemon's config (e.g. `backends`, `graphitePort`). */
  config?: Record<string, unknown>
  /** How long to wait for the daemon to answer on its management port. Default 10 s. */
  startTimeoutMs?: number
}

/**
 * The real Etsy StatsD daemon (npm `statsd`, which the caller installs) as a child process on
 * free loopback ports. Data is read back through its management port, so tests check what
 * the reference server actually parsed. Its flush interval is an hour: counters accumulate
 * for the whole test unless `clear()` is called.
 */
export class StatsdDaemon {
  private child: ChildProcess | undefined
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'routemeter-statsd-'))
  private output = ''
  port = 0
  managementPort = 0
  readonly host = '127.0.0.1'
  readonly protocol: 'udp' | 'tcp'

  constructor(private readonly options: StatsdDaemonOptions = {}) {
    this.protocol = options.protocol ?? 'udp'
  }

  async start(): Promise<this> {
    this.port = this.protocol === 'udp' ? await freeUdpPort() : await freeTcpPort()
    this.managementPort = await freeTcpPort()
    const config = {
      port: this.port,
      address: this.host,
      mgmt_port: this.managementPort,
      mgmt_address: this.host,
      servers: [{ server: `./servers/${this.protocol}`, port: this.port, address: this.host }],
      backends: [],
      flushInterval: 3_600_000,
      ...this.options.config,
    }
    const configPath = path.join(this.dir, 'config.js')
    writeFileSync(configPath, `(${JSON.stringify(config, null, 2)})\n`)
    const compatPath = path.join(this.dir, 'node-compat.cjs')
    writeFileSync(compatPath, STATSD_NODE_COMPAT)
    const child = spawn(
      process.execPath,
      ['--require', compatPath, resolveStatsdMain(), configPath],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.child = child
    child.stdout?.on('data', (chunk: Buffer) => this.keepOutput(chunk))
    child.stderr?.on('data', (chunk: Buffer) => this.keepOutput(chunk))
    await this.waitUntilReady(this.options.startTimeoutMs ?? 10_000)
    return this
  }

  /** Raw reply to a management command (`counters`, `timers`, `gauges`, `stats`, …). */
  command(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.managementPort })
      let reply = ''
      socket.setEncoding('utf8')
      socket.on('connect', () => socket.write(`${cmd}\n`))
      socket.on('data', (chunk: string) => {
        reply += chunk
        if (reply.includes('END\n\n') || (cmd === 'health' && reply.includes('\n'))) socket.end()
      })
      socket.on('end', () => resolve(reply))
      socket.on('error', reject)
    })
  }

  /** Counters as the daemon holds them: sanitised key → summed value. */
  async counters(): Promise<Record<string, number>> {
    return parseInspectedNumbers(await this.command('counters'))
  }

  async gauges(): Promise<Record<string, number>> {
    return parseInspectedNumbers(await this.command('gauges'))
  }

  /** Timer keys and their values (the daemon prints at most the first 100 per key). */
  async timers(): Promise<Record<string, number[]>> {
    return parseInspectedArrays(await this.command('timers'))
  }

  /**
   * How many values each timer key holds, exactly: the daemon prints the first 100 and then
   * `... N more items`. With sample rate 1 this is the count the daemon flushes (`count`).
   */
  async timerCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const match of (await this.command('timers')).matchAll(INSPECTED_ARRAY)) {
      const body = match[3] ?? ''
      const listed = body.split(',').filter((item) => /^\s*-?[\d.]+\s*$/.test(item)).length
      const more = /\.\.\. (\d+) more items?/.exec(body)
      out[match[1] ?? match[2] ?? ''] = listed + (more ? Number(more[1]) : 0)
    }
    return out
  }

  /** Lines the daemon rejected as malformed. */
  async badLines(): Promise<number> {
    return (await this.counters())['statsd.bad_lines_seen'] ?? 0
  }

  /** Polls `counters()` until `predicate` holds; returns them. */
  async waitForCounters(
    predicate: (counters: Record<string, number>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const counters = await this.counters()
      if (predicate(counters)) return counters
      if (Date.now() > deadline) {
        throw new Error(
          `StatsdDaemon: counters did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(counters)}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** Forgets every counter, timer and gauge. */
  async clear(): Promise<void> {
    const counters = Object.keys(await this.counters()).filter((key) => !key.startsWith('statsd.'))
    const timers = Object.keys(await this.timers())
    const gauges = Object.keys(await this.gauges()).filter((key) => !key.startsWith('statsd.'))
    if (counters.length) await this.command(`delcounters ${counters.join(' ')}`)
    if (timers.length) await this.command(`deltimers ${timers.join(' ')}`)
    if (gauges.length) await this.command(`delgauges ${gauges.join(' ')}`)
  }

  async close(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  private keepOutput(chunk: Buffer): void {
    this.output = (this.output + chunk.toString()).slice(-4_000)
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.child?.exitCode !== null) {
        throw new Error(`StatsdDaemon: statsd exited during start-up:\n${this.output}`)
      }
      try {
        if ((await this.command('health')).includes('up')) return
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await this.close()
        throw new Error(
          `StatsdDaemon: statsd did not answer on 127.0.0.1:${this.managementPort} within ${timeoutMs} ms:\n${this.output}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

export function startStatsdDaemon(options: StatsdDaemonOptions = {}): Promise<StatsdDaemon> {
  return new StatsdDaemon(options).start()
}

/**
 * Preloaded into the daemon: statsd 0.9 logs through `util.log`, which Node 23 removed (it
 * fails at start-up with `util.log is not a function` on Node 24 and 26). Defined only where
 * it is missing, with the old output format (`7 Dec 13:58:30 - message`), so the daemon runs
 * unchanged on every Node line without patching the installed package.
 */
export const STATSD_NODE_COMPAT = `'use strict'
const util = require('node:util')
if (typeof util.log !== 'function') {
  util.log = (...args) => {
    const now = new Date()
    const [, month, day] = now.toDateString().split(' ')
    const time = now.toTimeString().slice(0, 8)
    console.log('%d %s %s - %s', Number(day), month, time, util.format(...args))
  }
}
`

function resolveStatsdMain(): string {
  const bases = [path.join(process.cwd(), 'package.json'), __filename]
  for (const base of bases) {
    try {
      return createRequire(base).resolve('statsd/stats.js')
    } catch {
      // Try the next place.
    }
  }
  throw new Error(
    'StatsdDaemon: the npm package "statsd" is not installed; add it as a dev dependency',
  )
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

const INSPECTED_NUMBER = /(?:'((?:[^'\\]|\\.)*)'|([A-Za-z_$][\w$]*)): (-?[\d.]+(?:e[+-]?\d+)?)/g
const INSPECTED_ARRAY = /(?:'((?:[^'\\]|\\.)*)'|([A-Za-z_$][\w$]*)): \[([^\]]*)\]/g

/** The management port prints `util.inspect` of plain objects; keys here are sanitised names. */
export function parseInspectedNumbers(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const match of text.matchAll(INSPECTED_NUMBER))
    out[match[1] ?? match[2] ?? ''] = Number(match[3])
  return out
}

function parseInspectedArrays(text: string): Record<string, number[]> {
  const out: Record<string, number[]> = {}
  for (const match of text.matchAll(INSPECTED_ARRAY)) {
    const items = (match[3] ?? '').split(',').map((item) => item.trim())
    out[match[1] ?? match[2] ?? ''] = items.filter((item) => /^-?[\d.]+$/.test(item)).map(Number)
  }
  return out
}
