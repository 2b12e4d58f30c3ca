import { type AppSpec, HttpError } from './adapter'

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
