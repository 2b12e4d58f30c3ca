import http from 'node:http'
import { describeShopRoutes, overHttp } from '@routemeter/example-shared/shop-routes-suite'
import { buildApp } from '../src/app.mjs'

describeShopRoutes({
  framework: 'Express',
  tagStyleTitle:
    'tag style: nested routers give full templates; the 404 handler counts as "unmatched"; /health not measured',
  start(metrics) {
    const { app, metrics: handle } = buildApp({ logErrors: false, metrics })
    return overHttp(http.createServer(app), handle)
  },
  unmatched: { 404: 1 },
})
