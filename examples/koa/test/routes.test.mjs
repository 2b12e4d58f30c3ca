import http from 'node:http'
import { describeShopRoutes, overHttp } from '@routemeter/example-shared/shop-routes-suite'
import { buildApp } from '../src/app.mjs'

describeShopRoutes({
  framework: 'Koa',
  tagStyleTitle:
    'tag style: prefixes and nested routers give full templates; unrouted 404s count as "unmatched"; /health not measured',
  start(metrics) {
    // ctx.throw(404) and ctx.throw(400) in a route count under the route that threw.
    const { app, metrics: handle } = buildApp({ logErrors: false, metrics })
    return overHttp(http.createServer(app.callback()), handle)
  },
  extraRequests: [['DELETE', '/api/orders', 405]],
  // allowedMethods() answers a known path with another method: no route ran, so the 405 is
  // "unmatched" too.
  unmatched: { 404: 1, 405: 1 },
})
