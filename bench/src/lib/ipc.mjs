// A small request/response protocol over Node's IPC channel, used between the orchestrator
// and its worker processes (servers, load generator, UDP sink, micro-benchmark).
import { spawn, spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

let tasksetChecked
/** True when `taskset` exists and the machine has at least two cores to pin to. */
export function canPin() {
  if (tasksetChecked === undefined) {
    const probe = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    tasksetChecked = probe.status === 0 && availableParallelism() >= 2
  }
  return tasksetChecked
}

/** Pins every thread of a process to one core (no-op without taskset). */
export function pin(pid, core) {
  if (!canPin()) return false
  const res = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], {
    stdio: 'ignore',
  })
  return res.status === 0
}

export function pinSelf(core) {
  return pin(process.pid, core)
}

/** Environment for workers: no STATSD_* variables, so the meters only see explicit options. */
function workerEnv(extra) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('STATSD_')) env[key] = value
  }
  return { ...env, ...extra }
}

export class Worker {
  constructor(name, child) {
    this.name = name
    this.child = child
    this.nextId = 1
    this.pending = new Map()
    this.exited = false
    this.readyMessage = new Promise((resolve, reject) => {
      this.resolveReady = resolve
      this.rejectReady = reject
    })
    child.on('message', (msg) => this.onMessage(msg))
    child.on('exit', (code, signal) => {
      this.exited = true
      const err = new Error(`${name} exited (code ${code}, signal ${signal})`)
      this.rejectReady(err)
      for (const { reject } of this.pending.values()) reject(err)
      this.pending.clear()
    })
    child.on('error', (err) => this.rejectReady(err))
  }

  onMessage(msg) {
    if (msg && msg.type === 'ready') {
      // Workers start on any core (start-up of many servers at once goes faster on both) and
      // are pinned once up; threads started later inherit the pinned main thread's affinity.
      if (this.core !== undefined) this.pinned = pin(this.child.pid, this.core)
      this.resolveReady(msg)
      return
    }
    if (msg && msg.type === 'failed') {
      this.rejectReady(new Error(`${this.name} failed to start: ${msg.error}`))
      return
    }
    const waiter = msg && this.pending.get(msg.id)
    if (!waiter) return
    this.pending.delete(msg.id)
    clearTimeout(waiter.timer)
    if (msg.ok) waiter.resolve(msg.result)
    else waiter.reject(new Error(`${this.name}.${waiter.cmd}: ${msg.error}`))
  }

  ready() {
    return this.readyMessage
  }

  call(cmd, args = {}, timeoutMs = 120_000) {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.name}.${cmd} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer, cmd })
      this.child.send({ id, cmd, args })
    })
  }

  /** Asks the worker to shut down cleanly; kills it (by its own pid) if it does not. */
  async close(timeoutMs = 10_000) {
    if (this.exited) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    try {
      await this.call('close', {}, timeoutMs)
    } catch {
      // fall through to the kill below
    }
    const timer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL')
    }, timeoutMs)
    await exited
    clearTimeout(timer)
  }
}

/**
 * Starts `node script ...args` as a worker with an IPC channel; once it reports ready, it is
 * pinned to `core` with taskset when that is available (`pinAtStart`: from spawn on, for
 * workers whose start-up is measured).
 */
export function startWorker(
  name,
  script,
  args = [],
  { core, env, execArgv = [], pinAtStart = false } = {},
) {
  const child = spawn(process.execPath, [...execArgv, script, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: workerEnv(env),
  })
  const worker = new Worker(name, child)
  worker.core = core
  if (pinAtStart && core !== undefined) worker.pinned = pin(child.pid, core)
  return worker
}

/** Worker side: answers `{ id, cmd, args }` messages with the named handler's result. */
export function serve(handlers) {
  process.on('message', async (msg) => {
    if (!msg || typeof msg.id !== 'number') return
    const handler = handlers[msg.cmd]
    try {
      if (!handler) throw new Error(`unknown command ${msg.cmd}`)
      const result = await handler(msg.args ?? {})
      process.send({ id: msg.id, ok: true, result })
    } catch (err) {
      process.send({ id: msg.id, ok: false, error: err?.stack ?? String(err) })
    }
  })
  // The orchestrator going away must not leave workers behind.
  process.on('disconnect', () => process.exit(0))
}

/** Worker side: tells the parent the worker is up. */
export function announceReady(info = {}) {
  process.send({ type: 'ready', ...info })
}

export function announceFailure(err) {
  process.send({ type: 'failed', error: err?.stack ?? String(err) })
}
