import { spawn } from 'node:child_process'
import path from 'node:path'

const running = new Set()

/**
 * Starts the example's `src/server.mjs` as `pnpm start` would (from the package folder, where its
 * tests run), with the given environment, and resolves once it printed its listening line. The
 * handle gives that line's `url`, `workers`, `workerPids` (a cluster's) and `metrics` (the
 * /metrics URL with PROMETHEUS_PORT), and `nextEvent(name)`: the next JSON line of that event.
 */
export function startServer(env, { timeoutMs = 15_000 } = {}) {
  const server = path.resolve('src/server.mjs')
  const child = spawn(process.execPath, [server], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve({ code, signal })
    }),
  )
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  // JSON lines printed after the listening one, and who waits for which event.
  let linesRead = 0
  const events = []
  const waiting = []
  const readEvents = () => {
    const lines = stdout.split('\n')
    for (; linesRead < lines.length - 1; linesRead++) {
      const line = lines[linesRead]
      if (!line.startsWith('{"event":') || line.startsWith('{"event":"listening"')) continue
      const event = JSON.parse(line)
      const waiter = waiting.findIndex(({ name }) => name === event.event)
      if (waiter === -1) events.push(event)
      else waiting.splice(waiter, 1)[0].resolve(event)
    }
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not listen within ${timeoutMs} ms:\n${stdout}${stderr}`))
    }, timeoutMs)
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${signal ?? code}) before listening:\n${stdout}${stderr}`))
    })
    let listening = false
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (listening) return readEvents()
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{"event":"listening"')) continue
        clearTimeout(timer)
        listening = true
        const { url, workers, workerPids, metrics } = JSON.parse(line)
        readEvents()
        resolve({
          url,
          workers,
          workerPids,
          metrics,
          exited,
          output: () => stdout + stderr,
          /** The next JSON line `{"event":name,…}` printed (or already printed and not taken). */
          nextEvent(name) {
            const seen = events.findIndex((event) => event.event === name)
            if (seen !== -1) return Promise.resolve(events.splice(seen, 1)[0])
            return new Promise((resolveEvent) => waiting.push({ name, resolve: resolveEvent }))
          },
          /** Sends `signal` and resolves with how the process ended. */
          stop(signal = 'SIGTERM') {
            child.kill(signal)
            return exited
          },
        })
        return
      }
    })
  })
}

/** For `afterEach`: no test leaves a server running, whatever failed. */
export function killServers() {
  for (const child of running) child.kill('SIGKILL')
}
