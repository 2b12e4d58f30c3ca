import { describeShopRoutes } from '@routemeter/example-shared/shop-routes-suite'
import { expect } from 'vitest'
import { buildApp } from '../src/app.mjs'

describeShopRoutes({
  framework: 'Fastify',
  describeTitle: 'every route is measured by its template',
  tagStyleTitle:
    'tag style: route, method and status tags; 404s with no route under "unmatched"; /health not measured',
  async start(metrics) {
    const app = await buildApp({ logger: false, metrics })
    // Fastify's inject(): the request goes through the whole app without a socket; the 400 for
    // an invalid id comes from the route's schema and never reaches the handler.
    return {
      async send(method, url, payload) {
        return (await app.inject({ method, url, payload })).statusCode
      },
      close: () => app.close(), // flushes
    }
  },
  unmatched: { 404: 1 },
  moreTagChecks(receiver) {
    expect(
      receiver.find('http.server.requests', { route: '/api/carts/:cartId/checkout' })[0].tags,
    ).toMatchObject({ method: 'POST', status_class: expect.stringMatching(/^[25]xx$/) })
  },
})
