import { createAdaptorServer } from '@hono/node-server'
import { describeShopRoutes, overHttp } from '@routemeter/example-shared/shop-routes-suite'
import { buildApp } from '../src/app.mjs'

describeShopRoutes({
  framework: 'Hono',
  tagStyleTitle:
    'tag style: app.route() sub-apps give full templates; notFound 404s count as "unmatched"; /health not measured',
  start(metrics) {
    // The 400 from the orders route is an HTTPException and the checkout's 500 a thrown error,
    // both answered by onError: still counted under their route.
    const { app, metrics: handle } = buildApp({ logErrors: false, metrics })
    // Served by Node's HTTP server, as in production: the adapter reads the status sent there.
    return overHttp(createAdaptorServer({ fetch: app.fetch }), handle)
  },
  extraRequests: [['DELETE', '/api/orders', 404]],
  // No route for the path, and none for the method (Hono has no 405): both "unmatched".
  unmatched: { 404: 2 },
  extraPathCounters: { '_unmatched.DELETE.404': 1 },
})
