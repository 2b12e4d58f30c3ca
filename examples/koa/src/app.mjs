import { json } from 'node:stream/consumers'
import Router from '@koa/router'
import * as store from '@routemeter/example-shared/store'
import { routemeter } from '@routemeter/koa'
import Koa from 'koa'

/**
 * A small shop API, instrumented with routemeter. Metrics options come from the `STATSD_*`
 * environment variables unless `metrics` overrides them (tests do); `/health` is not measured.
 * Returns the app and the middleware, whose `close()` flushes and closes the metrics.
 */
export function buildApp({ metrics: options = {}, logErrors = true } = {}) {
  const metrics = routemeter({ exclude: ['/health'], ...options })
  const app = new Koa()
  // First, so that it sees every request and the status finally sent.
  app.use(metrics)
  app.use(errors(logErrors))

  const root = new Router()
  root.get('/health', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  const api = apiRouter()
  app.use(root.routes()).use(api.routes()).use(api.allowedMethods())
  return { app, metrics }
}

/**
 * Turns thrown errors into JSON answers (5xx logged) and gives unrouted paths a JSON 404; Koa's
 * own `onerror` stays quiet because nothing reaches it.
 */
function errors(logErrors) {
  return async function errorHandler(ctx, next) {
    try {
      await next()
      if (ctx.status === 404 && ctx.body == null) {
        ctx.status = 404 // set explicitly, or assigning the body would make it a 200
        ctx.body = { error: 'not found' }
      }
    } catch (error) {
      const status = error.status ?? error.statusCode ?? 500
      if (status >= 500 && logErrors) console.error(`${ctx.method} ${ctx.url}: ${error.stack}`)
      ctx.status = status
      ctx.body = { error: status >= 500 ? 'internal server error' : error.message }
    }
  }
}

function apiRouter() {
  const router = new Router({ prefix: '/api' })
  const products = productsRouter()
  const carts = cartsRouter()
  router.use('/products', products.routes())
  router.use('/carts/:cartId', carts.routes())

  router.post('/orders', async (ctx) => {
    const { productId, quantity } = (await jsonBody(ctx)) ?? {}
    if (!isId(productId) || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
      ctx.throw(400, 'productId and quantity (1–100) are required integers')
    }
    ctx.status = 201
    ctx.body = await ctx.metrics.time('db.insert', () => store.insertOrder({ productId, quantity }))
  })

  // The slow endpoint.
  router.get('/reports/sales', async (ctx) => {
    const stop = ctx.metrics.timer('report.render')
    try {
      ctx.body = await store.renderSalesReport()
    } finally {
      stop()
    }
  })
  return router
}

function productsRouter() {
  const router = new Router()
  router.get('/', async (ctx) => {
    ctx.body = await ctx.metrics.time('db.query', () => store.listProducts())
  })
  router.get('/:id', async (ctx) => {
    const id = Number(ctx.params.id)
    if (!isId(id)) ctx.throw(400, 'id must be a positive integer')
    const product = await ctx.metrics.time('db.query', () => store.findProduct(id))
    if (product === undefined) ctx.throw(404, 'product not found')
    ctx.body = product
  })
  return router
}

/** Mounted at `/carts/:cartId`: a nested router under a parameterised path. */
function cartsRouter() {
  const router = new Router()
  // Fails with a 500 for every fifth cart: the payment provider's outage.
  router.post('/checkout', async (ctx) => {
    const cartId = Number(ctx.params.cartId)
    if (!isId(cartId)) ctx.throw(400, 'cartId must be a positive integer')
    ctx.body = await ctx.metrics.time('payment.charge', () => store.chargeCart(cartId))
  })
  return router
}

/** The request's JSON body, or undefined when there is none; malformed JSON is a 400. */
async function jsonBody(ctx) {
  if (!ctx.is('application/json')) return undefined
  try {
    return await json(ctx.req)
  } catch {
    ctx.throw(400, 'the body is not valid JSON')
  }
}

function isId(value) {
  return Number.isInteger(value) && value >= 1
}
