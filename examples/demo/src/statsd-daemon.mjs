import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { claimPort, LOOPBACK as HOST } from './ports.mjs'

/**
 * Latency bins (ms) the daemon counts every timer into on each flush. Bin counts add up
 * exactly across flushes, so percentiles over the whole run can be read from their sums (the
 * daemon's own `upper_90` is per flush interval and cannot be combined).
 */
const BIN_BOUNDS_MS = [
  0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100, 125, 150,
  200, 250, 300, 350, 400, 450, 500, 550, 600, 650, 700, 800, 900, 1000, 1250, 1500, 2000, 3000,
  5000, 10000,
]
export const HISTOGRAM_BINS = [...BIN_BOUNDS_MS, 'inf']

/**
 * Etsy's reference StatsD server (npm `statsd`) as a child process on loopback, flushing to a
 * Graphite plaintext listener every `flushIntervalMs`. It runs in its own process group so a
 * Ctrl-C in the terminal reaches only the demo, which then stops everything in order.
 */
export async function startStatsdDaemon({
  port,
  protocol = 'udp',
  graphitePort,
  flushIntervalMs = 1000,
  startTimeoutMs = 10_000,
}) {
  const statsdMain = resolveStatsd()
  const managementPort = await claimPort('tcp')
  const dir = mkdtempSync(path.join(tmpdir(), 'routemeter-demo-statsd-'))
  const config = {
    port,
    address: HOST,
    mgmt_port: managementPort,
    mgmt_address: HOST,
    servers: [{ server: `./servers/${protocol}`, address: HOST, port }],
    backends: ['./backends/graphite'],
    graphiteHost: HOST,
    graphitePort,
    flushInterval: flushIntervalMs,
    // An empty metric name matches every timer key.
    histogram: [{ metric: '', bins: HISTOGRAM_BINS }],
    // Only what the demo reads: sample count, min, max and the bins.
    calculatedTimerMetrics: ['count', 'lower', 'upper', 'histogram'],
    automaticConfigReload: false,
  }
  const configPath = path.join(dir, 'config.js')
  writeFileSync(configPath, `(${JSON.stringify(config, null, 2)})\n`)

  const compat = fileURLToPath(new URL('./statsd-node-compat.cjs', import.meta.url))
  const child = spawn(process.execPath, ['--require', compat, statsdMain, configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const running = () => child.exitCode === null && child.signalCode === null
  child.once('error', (error) => keep(`\n${error.message}\n`))

  const daemon = {
    host: HOST,
    port,
    protocol,
    managementPort,
    pid: child.pid,
    exited,
    output: () => output,
    command: (cmd) => managementCommand(managementPort, cmd),
    async stop() {
      if (running()) {
        killGroup(child.pid, 'SIGTERM')
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
    /** Synchronous last resort for `process.on('exit')`. */
    kill() {
      if (running()) killGroup(child.pid, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }

  const deadline = Date.now() + startTimeoutMs
  for (;;) {
    if (!running() || child.pid === undefined) {
      await daemon.stop()
      throw new Error(
        `the statsd daemon exited during start-up (${protocol} port ${port}, management port ${managementPort}):\n${indent(output)}`,
      )
    }
    try {
      if ((await daemon.command('health')).includes('up')) return daemon
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await daemon.stop()
      throw new Error(
        `the statsd daemon did not answer on ${HOST}:${managementPort} within ${startTimeoutMs} ms:\n${indent(output)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function resolveStatsd() {
  try {
    return createRequire(import.meta.url).resolve('statsd/stats.js')
  } catch {
    throw new Error('the npm package "statsd" is not installed: run `pnpm install` first')
  }
}

function managementCommand(port, cmd) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port })
    let reply = ''
    socket.setEncoding('utf8')
    socket.setTimeout(2000, () => socket.destroy(new Error('management port timed out')))
    socket.on('connect', () => socket.write(`${cmd}\n`))
    socket.on('data', (chunk) => {
      reply += chunk
      if (reply.includes('END\n\n') || (cmd === 'health' && reply.includes('\n'))) socket.end()
    })
    socket.on('end', () => resolve(reply))
    socket.on('error', reject)
  })
}

function killGroup(pid, signal) {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

function indent(text) {
  const trimmed = text.trim()
  return trimmed === '' ? '  (no output)' : trimmed.replace(/^/gm, '  ')
}
