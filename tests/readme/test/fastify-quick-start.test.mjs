/**
 * The README's Fastify quick start, run as written (only the port changed: any free loopback
 * port), sent SIGTERM after a request: it closes the app, which flushes, and exits 0, so the
 * request's count reaches StatsD instead of dying with the process.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startStatsdReceiver } from '@routemeter/core/testing'
import { afterEach, describe, expect, it } from 'vitest'

const HERE = fileURLToPath(new URL('..', import.meta.url))
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
const LISTEN = 'await app.listen({ port: 3000 })'

/** The first js block under "## Fastify", listening on a free port and printing it. */
function quickStart() {
  const section = README.slice(README.indexOf('\n## Fastify\n'))
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  if (block === undefined || !block.includes(LISTEN)) {
    throw new Error(`no js block with "${LISTEN}" under "## Fastify"`)
  }
  return block.replace(
    LISTEN,
    "await app.listen({ port: 0, host: '127.0.0.1' })\nconsole.log(app.server.address().port)",
  )
}

const cleanup = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

describe('the README Fastify quick start', () => {
  it('on SIGTERM closes the app, flushes the metrics and exits 0', async () => {
    const receiver = await startStatsdReceiver({ protocol: 'udp' })
    cleanup.push(() => receiver.stop())
    // Inside this package, so that `fastify` and `@routemeter/fastify` resolve.
    const dir = mkdtempSync(path.join(HERE, '.quick-start-'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'app.mjs')
    writeFileSync(file, quickStart())

    // The flush interval is far longer than the test: only the flush on close can deliver.
    const child = spawn(process.execPath, [file], {
      env: {
        ...process.env,
        STATSD_PORT: String(receiver.port),
        STATSD_FLUSH_INTERVAL_MS: '60000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanup.push(() => child.kill('SIGKILL'))
    const exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    )
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const port = await new Promise((resolve, reject) => {
      child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())))
      exited.then(() => reject(new Error(`the quick start exited: ${stderr}`)))
    })

    const response = await fetch(`http://127.0.0.1:${port}/users/7`)
    expect(await response.json()).toEqual({ id: '7' })
    child.kill('SIGTERM')
    expect(await exited, stderr).toEqual({ code: 0, signal: null })
    await receiver.waitFor((r) => r.lines().length > 0)
    expect(
      receiver.counter('applications.shop.prod.http.server.requests', { route: '/users/:id' }),
    ).toBe(1)
  })
})
