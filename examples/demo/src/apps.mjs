import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Where an example package's `start` script entry is, found through the workspace dependency. */
export function exampleServer(packageName) {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), 'src/server.mjs')
}

/**
 * Starts an example app as `pnpm start` would, configured through `env` only (the `STATSD_*`,
 * `ROUTEMETER_*` and PROMETHEUS_PORT of the demo's own environment are not passed on), in its
 * own process group (a terminal's Ctrl-C reaches the demo, which stops it in order). Resolves
 * once the app printed its listening line: its `url`, `workers` and `metrics` (with
 * PROMETHEUS_PORT, the URL of its /metrics).
 */
export function startApp({ name, server, env, startTimeoutMs = 20_000 }) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.startsWith('STATSD_') && !key.startsWith('ROUTEMETER_') && key !== 'PROMETHEUS_PORT',
    ),
  )
  const child = spawn(process.execPath, [server], {
    env: { ...inherited, PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stderr.on('data', keep)
  // A clean exit means every worker has exited too (a cluster's primary waits for them).
  let gone = false
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      gone = code === 0
      resolve({ code, signal })
    }),
  )
  child.once('error', (error) => keep(`\n${error.message}\n`))

  const app = {
    name,
    pid: child.pid,
    exited,
    output: () => output.trim(),
    get running() {
      return child.exitCode === null && child.signalCode === null
    },
    /** SIGTERM: the app finishes what is in flight, flushes its metrics and exits. */
    async stop(timeoutMs = 15_000) {
      if (!app.running) return exited
      child.kill('SIGTERM')
      const timer = setTimeout(() => app.kill(), timeoutMs)
      const result = await exited
      clearTimeout(timer)
      return result
    },
    /** The whole process group (a cluster's workers too), at once. */
    kill() {
      if (gone) return
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    },
  }

  return new Promise((resolve, reject) => {
    let started = false
    const fail = (reason) => {
      if (started) return
      clearTimeout(timer)
      app.kill()
      const details = app.output() === '' ? '' : `\n${app.output().replace(/^/gm, '  ')}`
      reject(new Error(`${name} ${reason}${details}`))
    }
    const timer = setTimeout(
      () => fail(`did not start listening within ${startTimeoutMs} ms`),
      startTimeoutMs,
    )
    exited.then(({ code, signal }) => fail(`exited during start-up (${signal ?? `code ${code}`})`))
    child.stdout.on('data', (chunk) => {
      keep(chunk)
      stdout += chunk
      let newline = stdout.indexOf('\n')
      while (newline !== -1) {
        const line = stdout.slice(0, newline)
        stdout = stdout.slice(newline + 1)
        newline = stdout.indexOf('\n')
        if (started || !line.startsWith('{"event":"listening"')) continue
        started = true
        clearTimeout(timer)
        const { url, workers, metrics } = JSON.parse(line)
        resolve(Object.assign(app, { url, workers, metrics }))
      }
    })
  })
}
