import type { Meter } from '@routemeter/core'
import type { AdapterOptions } from '@routemeter/core/adapter'
import { type AdapterFactory, type AppSpec, HttpError, type StartedApp } from './adapter'
import { fetchText } from './client'
import type { TestApi } from './suite'

/** A request to the shop and the status it must get: `[method, path, status]`. */
export type ShopRequest = readonly [string, string, number]

/**
 * A small shop that the naming suites (statsd daemon, otel) drive: nested prefixes, a 404 from a
 * route, an error with a status (409), a 500, a 204, a plain route, and an execution timer.
 */
export const SHOP: AppSpec = {
  routes: [
    {
      method: 'GET',
      path: '/users/:id',
      prefix: '/api/v1',
      async handler({ params, metrics }) {
        const user = await metrics?.time('db.query', async () => ({ id: params.id }))
        return params.id === 'missing'
          ? { status: 404, json: { error: 'no such user' } }
          : { json: user }
      },
    },
    {
      method: 'POST',
      path: '/users',
      prefix: '/api/v1',
      handler: () => ({ status: 201, json: { created: true } }),
    },
    { method: 'DELETE', path: '/users/:id', prefix: '/api/v1', handler: () => ({ status: 204 }) },
    {
      method: 'GET',
      path: '/orders/:orderId',
      prefix: '/tenants/:tenant',
      handler({ params }) {
        throw new HttpError(409, `order ${params.orderId} is locked`)
      },
    },
    {
      method: 'GET',
      path: '/broken',
      handler() {
        throw new Error('boom')
      },
    },
    { method: 'GET', path: '/health', handler: () => ({ text: 'ok' }) },
  ],
}

/**
 * Starts the shop with `options`, sends `requests` one by one (each must get its status), then
 * shuts it down: every request has ended and nothing was dropped when this resolves.
 */
export async function serveShop(
  expect: TestApi['expect'],
  factory: AdapterFactory,
  options: AdapterOptions,
  requests: ReadonlyArray<ShopRequest>,
): Promise<StartedApp> {
  const app = await factory.start(SHOP, options)
  try {
    for (const [method, path, status] of requests) {
      expect({ path, status: (await fetchText(app.port, method, path)).status }).toEqual({
        path,
        status,
      })
    }
    await app.shutdown()
  } finally {
    await app.dispose()
  }
  expect((app.meter as Meter).stats()).toMatchObject({ activeRequests: 0, droppedLines: 0 })
  return app
}
