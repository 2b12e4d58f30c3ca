import { spawn } from 'node:child_process'
import path from 'node:path'

const running = new Set()

/**
 * Starts the example's `src/server.mjs` as `pnpm start` would (from the package folder, where its
 * tests run), with the given environment, and resolves once it printed its listening line.
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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not listen within ${timeoutMs} ms:\n${stdout}${stderr}`))
    }, timeoutMs)
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${signal ?? code}) before listening:\n${stdout}${stderr}`))
    })
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{"event":"listening"')) continue
        clearTimeout(timer)
        const { url, workers } = JSON.parse(line)
        resolve({
          url,
          workers,
          exited,
          output: () => stdout + stderr,
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
