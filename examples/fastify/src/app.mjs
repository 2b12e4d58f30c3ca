import * as store from '@routemeter/example-shared/store'
import routemeter from '@routemeter/fastify'
import Fastify from 'fastify'

/**
 * A small shop API, instrumented with routemeter. Metrics options come from the `STATSD_*`
 * environment variables unless `metrics` overrides them (tests do); `/health` is not measured.
 */
export async function buildApp({
  metrics = {},
  logger = { level: process.env.LOG_LEVEL ?? 'info' },
} = {}) {
  const app = Fastify({ logger })
  await app.register(routemeter, { exclude: ['/health'], ...metrics })

  app.get('/health', async () => ({ status: 'ok' }))
  await app.register(api, { prefix: '/api' })
  return app
}

async function api(app) {
  await app.register(products, { prefix: '/products' })
  await app.register(carts, { prefix: '/carts' })

  app.post('/orders', { schema: { body: orderBody } }, async (request, reply) => {
    const order = await request.metrics.time('db.insert', () => store.insertOrder(request.body))
    return reply.code(201).send(order)
  })

  // The slow endpoint.
  app.get('/reports/sales', async (request) => {
    const stop = request.metrics.timer('report.render')
    try {
      return await store.renderSalesReport()
    } finally {
      stop()
    }
  })
}

async function products(app) {
  app.get('/', async (request) => request.metrics.time('db.query', () => store.listProducts()))

  app.get('/:id', { schema: { params: idParams('id') } }, async (request, reply) => {
    const product = await request.metrics.time('db.query', () =>
      store.findProduct(request.params.id),
    )
    if (product === undefined) return reply.code(404).send({ error: 'product not found' })
    return product
  })
}

async function carts(app) {
  // Fails with a 500 for every fifth cart: the payment provider's outage.
  app.post('/:cartId/checkout', { schema: { params: idParams('cartId') } }, async (request) =>
    request.metrics.time('payment.charge', () => store.chargeCart(request.params.cartId)),
  )
}

const orderBody = {
  type: 'object',
  required: ['productId', 'quantity'],
  properties: {
    productId: { type: 'integer', minimum: 1 },
    quantity: { type: 'integer', minimum: 1, maximum: 100 },
  },
}

function idParams(name) {
  return {
    type: 'object',
    required: [name],
    properties: { [name]: { type: 'integer', minimum: 1 } },
  }
}
