/**
 * Runs the Nest app (built by `pnpm build` into dist/). PLATFORM: `express` (default) or
 * `fastify`. Metrics are configured only through `STATSD_*` variables (STATSD_HOST, STATSD_PORT,
 * STATSD_NAMING, STATSD_PREFIX, …); the server takes HOST (default 127.0.0.1), PORT (default 0:
 * any free port) and LOG_LEVEL (`silent` for none). Once listening it prints one JSON line:
 * {"event":"listening","url":…}. SIGTERM or SIGINT: Nest's shutdown hooks close the app, which
 * flushes the metrics, then Nest re-raises the signal.
 */

import { createRequire } from 'node:module'

const { createApp } = createRequire(import.meta.url)('../dist/app.js')

const platform = process.env.PLATFORM || 'express'
const host = process.env.HOST || '127.0.0.1'
const port = Number(process.env.PORT || 0)
if (platform !== 'express' && platform !== 'fastify') {
  console.error(`PLATFORM must be "express" or "fastify", got "${platform}"`)
  process.exit(1)
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got "${process.env.PORT}"`)
  process.exit(1)
}

let app
try {
  app = await createApp(platform, {
    logger: process.env.LOG_LEVEL === 'silent' ? false : ['log', 'warn', 'error'],
  })
  app.enableShutdownHooks()
  await app.listen(port, host)
} catch (error) {
  // A bad STATSD_* value names the variable; a taken port says so.
  console.error(`cannot start: ${error.message}`)
  await app?.close()
  process.exit(1)
}

const { port: bound } = app.getHttpServer().address()
console.log(
  JSON.stringify({
    event: 'listening',
    url: `http://${host}:${bound}`,
    pid: process.pid,
    platform,
    workers: 1,
  }),
)
