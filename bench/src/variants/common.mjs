// Pieces shared by the Fastify and Express variants.
import { once } from 'node:events'

export const PAYLOAD = { hello: 'world' }

/**
 * The routes a server registers: the main matrix serves one hello-world route (`/`); the
 * scale runs register `routes` templates `/s<i>/items/:id` that the load generator hits round
 * robin, so each template really gets traffic.
 */
export function routePaths(routes) {
  if (!routes) return ['/']
  return Array.from({ length: routes }, (_, i) => `/s${i}/items/:id`)
}

/** Sums the `<name>_count` samples a Prometheus registry holds (how many requests it saw). */
export async function promCount(register, name) {
  const metric = register.getSingleMetric(name)
  if (!metric) return undefined
  const data = await metric.get()
  let total = 0
  for (const v of data.values) {
    if (v.metricName === `${name}_count`) total += v.value
  }
  return total
}

/** Listens on an ephemeral loopback port and resolves with it. */
export async function listenNode(server) {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return server.address().port
}

export async function closeNode(server) {
  const closed = once(server, 'close')
  server.close()
  server.closeAllConnections?.()
  await closed
}

/** Options every routemeter meter in the bench gets: the sink, and nothing else changed. */
export function meterOptions(ctx, extra = {}) {
  return { host: '127.0.0.1', port: ctx.sinkPort, protocol: 'udp', ...extra }
}

/** A hot-shots client pointed at the sink; errors are counted, never thrown. */
export async function hotShotsClient(ctx, extra = {}) {
  const { StatsD } = await import('hot-shots')
  const errors = { count: 0 }
  const client = new StatsD({
    host: '127.0.0.1',
    port: ctx.sinkPort,
    protocol: 'udp',
    errorHandler: () => {
      errors.count++
    },
    ...extra,
  })
  return { client, errors }
}

export function closeHotShots(client) {
  return new Promise((resolve) => client.close(() => resolve()))
}

export function flushHotShots(client) {
  return new Promise((resolve) => client.flush(() => resolve()))
}

/**
 * Mounts a middleware-style routemeter adapter (Express, Koa, Hono) the way a user would, before
 * the routes. The middleware owns its meter (`mw.meter`), which the bench flushes at the edges of
 * each measured burst; `mw.close()` flushes and closes it.
 */
export function mountRoutemeter(app, routemeter, ctx, meterExtra) {
  const mw = routemeter(meterOptions(ctx, meterExtra))
  app.use(mw)
  return {
    flush: () => mw.meter.flush(),
    stats: () => mw.meter.stats(),
    close: () => mw.close(),
  }
}
