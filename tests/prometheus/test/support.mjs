import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { prometheusBinDir } from '@routemeter/test-support'

export { prometheusBinDir }

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** A child process whose stdout JSON lines are collected as events. */
export function startProcess(command, args, env) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const events = []
  let stderr = ''
  let partial = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => {
    partial += chunk
    let newline = partial.indexOf('\n')
    while (newline !== -1) {
      const line = partial.slice(0, newline)
      partial = partial.slice(newline + 1)
      try {
        events.push(JSON.parse(line))
      } catch {}
      newline = partial.indexOf('\n')
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    events,
    exited,
    stderr: () => stderr,
    async waitFor(predicate, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = events.find(predicate)
        if (found !== undefined) return found
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no ${what} (exit ${child.exitCode}); stderr: ${stderr.slice(-2000)}`)
        await sleep(20)
      }
    },
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** GET or POST on loopback without keep-alive: every request a connection of its own. */
export function send(port, method, urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path: urlPath, agent: false, headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }))
      },
    )
    // A connection handed to a worker that was just killed may never be answered.
    req.setTimeout(5_000, () => req.destroy(new Error(`${method} ${urlPath}: no answer in 5 s`)))
    req.on('error', reject)
    req.end()
  })
}

/** A real Prometheus server scraping `target` every second, with its own data folder. */
export async function startPrometheus(target) {
  const bin = prometheusBinDir()
  const dir = mkdtempSync(path.join(tmpdir(), 'routemeter-prometheus-server-'))
  const port = await freePort()
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      'scrape_configs:',
      '  - job_name: routemeter',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  )
  const server = spawn(
    path.join(bin, 'prometheus'),
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  server.stderr.setEncoding('utf8')
  server.stderr.on('data', (chunk) => {
    log += chunk
  })
  const api = {
    port,
    log: () => log,
    async query(expression) {
      const answer = await send(
        port,
        'GET',
        `/api/v1/query?query=${encodeURIComponent(expression)}`,
      )
      const parsed = JSON.parse(answer.body)
      if (parsed.status !== 'success') throw new Error(`${expression}: ${answer.body}`)
      return parsed.data.result
    },
    /** The one value of a query that yields one (`sum(…)`), or undefined when it yields none. */
    async scalar(expression) {
      const result = await api.query(expression)
      return result.length === 0 ? undefined : Number(result[0].value[1])
    },
    async stop() {
      server.kill('SIGTERM')
      await new Promise((resolve) =>
        server.exitCode !== null ? resolve() : server.once('exit', resolve),
      )
      rmSync(dir, { recursive: true, force: true })
    },
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await send(port, 'GET', '/-/ready')).status === 200) break
    } catch {}
    if (Date.now() > deadline || server.exitCode !== null)
      throw new Error(`prometheus did not start: ${log}`)
    await sleep(100)
  }
  return api
}

/** Waits until `check()` resolves true, polling. */
export async function until(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await sleep(100)
  }
}

export const REQUESTS = [
  ['GET', '/users/1', 200, '/users/:id'],
  ['GET', '/users/missing', 404, '/users/:id'],
  ['POST', '/orders', 201, '/orders'],
  ['GET', '/broken', 500, '/broken'],
  ['GET', '/nowhere', 404, 'unmatched'],
]

/**
 * Sends requests round the REQUESTS list from `concurrency` loops until `stop()` says so,
 * keeping what each got: by `route method status`, and by the process that answered, with when.
 */
export function runLoad(port, concurrency, stop) {
  const served = {}
  const answers = []
  let failures = 0
  let next = 0
  const loop = async () => {
    while (!stop()) {
      const [method, urlPath, status, route] = REQUESTS[next++ % REQUESTS.length]
      try {
        const answer = await send(port, method, urlPath)
        if (answer.status !== status) throw new Error(`${method} ${urlPath}: ${answer.status}`)
        const key = `${route} ${method} ${status}`
        served[key] = (served[key] ?? 0) + 1
        answers.push({ pid: Number(answer.headers['x-pid']), at: Date.now(), key })
      } catch {
        // A connection the killed worker held: not served, so not expected in the totals.
        failures++
      }
    }
  }
  const done = Promise.all(Array.from({ length: concurrency }, loop))
  return { served, answers, failures: () => failures, done }
}

export function total(counts) {
  return Object.values(counts).reduce((a, b) => a + b, 0)
}

/** `route method status` → the value of a counter in an exposition (tag style's labels). */
export function exposedCounts(exposition, name = 'http_server_requests_total') {
  const out = {}
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    )
    out[`${labels.route} ${labels.method} ${labels.status_code}`] = Number(
      line.slice(line.lastIndexOf(' ') + 1),
    )
  }
  return out
}
