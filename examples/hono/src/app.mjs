import * as store from '@routemeter/example-shared/store'
import { routemeter } from '@routemeter/hono'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'

/**
 * A small shop API, instrumented with routemeter. Metrics options come from the `STATSD_*`
 * environment variables unless `metrics` overrides them (tests do); `/health` is not measured.
 * Returns the app and the middleware, whose `close()` flushes and closes the metrics.
 */
export function buildApp({ metrics: options = {}, logErrors = true } = {}) {
  const metrics = routemeter({ exclude: ['/health'], ...options })
  // Not strict: `/api/products/` is the `/api/products` route, as in the other examples.
  const app = new Hono({ strict: false })
  // First, so that it sees every request and the status finally sent.
  app.use(metrics)

  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.route('/api', api())

  app.notFound((c) => c.json({ error: 'not found' }, 404))
  app.onError((error, c) => {
    const status = error instanceof HTTPException ? error.status : 500
    if (status >= 500 && logErrors) console.error(`${c.req.method} ${c.req.path}: ${error.stack}`)
    return c.json({ error: status >= 500 ? 'internal server error' : error.message }, status)
  })
  return { app, metrics }
}

function api() {
  const app = new Hono()
  app.route('/products', products())
  app.route('/carts/:cartId', carts())

  app.post('/orders', async (c) => {
    const { productId, quantity } = await jsonBody(c)
    if (!isId(productId) || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
      throw new HTTPException(400, {
        message: 'productId and quantity (1–100) are required integers',
      })
    }
    const order = await c.var.metrics.time('db.insert', () =>
      store.insertOrder({ productId, quantity }),
    )
    return c.json(order, 201)
  })

  // The slow endpoint.
  app.get('/reports/sales', async (c) => {
    const stop = c.var.metrics.timer('report.render')
    try {
      return c.json(await store.renderSalesReport())
    } finally {
      stop()
    }
  })
  return app
}

function products() {
  const app = new Hono()
  app.get('/', async (c) =>
    c.json(await c.var.metrics.time('db.query', () => store.listProducts())),
  )
  app.get('/:id', async (c) => {
    const id = Number(c.req.param('id'))
    if (!isId(id)) return c.json({ error: 'id must be a positive integer' }, 400)
    const product = await c.var.metrics.time('db.query', () => store.findProduct(id))
    if (product === undefined) return c.json({ error: 'product not found' }, 404)
    return c.json(product)
  })
  return app
}

/** Mounted at `/carts/:cartId`: a sub-app under a parameterised path. */
function carts() {
  const app = new Hono()
  // Fails with a 500 for every fifth cart: the payment provider's outage.
  app.post('/checkout', async (c) => {
    const cartId = Number(c.req.param('cartId'))
    if (!isId(cartId)) return c.json({ error: 'cartId must be a positive integer' }, 400)
    return c.json(await c.var.metrics.time('payment.charge', () => store.chargeCart(cartId)))
  })
  return app
}

/** The request's JSON body (`{}` when there is none); malformed JSON is a 400. */
async function jsonBody(c) {
  if (c.req.header('content-type')?.startsWith('application/json') !== true) return {}
  try {
    return (await c.req.json()) ?? {}
  } catch {
    throw new HTTPException(400, { message: 'the body is not valid JSON' })
  }
}

function isId(value) {
  return Number.isInteger(value) && value >= 1
}
