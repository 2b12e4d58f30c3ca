import * as store from '@routemeter/example-shared/store'
import { routemeter } from '@routemeter/express'
import express from 'express'

/**
 * A small shop API, instrumented with routemeter. Metrics options come from the `STATSD_*`
 * environment variables unless `metrics` overrides them (tests do); `/health` is not measured.
 * Returns the app and the middleware, whose `close()` flushes and closes the metrics.
 */
export function buildApp({ metrics: options = {}, logErrors = true } = {}) {
  const metrics = routemeter({ exclude: ['/health'], ...options })
  const app = express()
  app.use(metrics)
  app.use(express.json())

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.use('/api', api())

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' })
  })
  app.use((error, req, res, next) => {
    const status = error.status ?? error.statusCode ?? 500
    if (status >= 500 && logErrors)
      console.error(`${req.method} ${req.originalUrl}: ${error.stack}`)
    if (res.headersSent) return next(error)
    res.status(status).json({ error: status >= 500 ? 'internal server error' : error.message })
  })
  return { app, metrics }
}

function api() {
  const router = express.Router()
  router.use('/products', products())
  router.use('/carts/:cartId', carts())

  router.post('/orders', async (req, res) => {
    const { productId, quantity } = req.body ?? {}
    if (!isId(productId) || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
      res.status(400).json({ error: 'productId and quantity (1–100) are required integers' })
      return
    }
    const order = await req.metrics.time('db.insert', () =>
      store.insertOrder({ productId, quantity }),
    )
    res.status(201).json(order)
  })

  // The slow endpoint.
  router.get('/reports/sales', async (req, res) => {
    const stop = req.metrics.timer('report.render')
    try {
      res.json(await store.renderSalesReport())
    } finally {
      stop()
    }
  })
  return router
}

function products() {
  const router = express.Router()
  router.get('/', async (req, res) => {
    res.json(await req.metrics.time('db.query', () => store.listProducts()))
  })
  router.get('/:id', async (req, res) => {
    const id = Number(req.params.id)
    if (!isId(id)) {
      res.status(400).json({ error: 'id must be a positive integer' })
      return
    }
    const product = await req.metrics.time('db.query', () => store.findProduct(id))
    if (product === undefined) res.status(404).json({ error: 'product not found' })
    else res.json(product)
  })
  return router
}

/** Mounted at `/carts/:cartId`: a nested router with a parameterised mount path. */
function carts() {
  const router = express.Router({ mergeParams: true })
  // Fails with a 500 for every fifth cart: the payment provider's outage.
  router.post('/checkout', async (req, res) => {
    const cartId = Number(req.params.cartId)
    if (!isId(cartId)) {
      res.status(400).json({ error: 'cartId must be a positive integer' })
      return
    }
    res.json(await req.metrics.time('payment.charge', () => store.chargeCart(cartId)))
  })
  return router
}

function isId(value) {
  return Number.isInteger(value) && value >= 1
}
