import type { Express, NextFunction, Request, Response } from 'express'
import type { ExpressFactory } from './harness'

/**
 * A small shop API with the shapes the route labels must survive: a router in a router, a
 * parameterised mount, a function mounted at a path, errors thrown in a nested router and
 * answered at the top, and execution timers. Shared by the statsd daemon and load tests.
 */
export function addShopRoutes(app: Express, express: ExpressFactory): void {
  const users = express.Router()
  users.get('/:id', (req, res) => {
    const user = req.metrics.time('db.query', () => ({ id: req.params.id }))
    if (req.params.id === 'missing') res.status(404).json({ error: 'no such user' })
    else res.json(user)
  })
  users.post('/', (_req, res) => {
    res.status(201).json({ created: true })
  })
  users.delete('/:id', (_req, res) => {
    res.status(204).end()
  })
  const v1 = express.Router()
  v1.use('/users', users)
  app.use('/api/v1', v1)

  const orders = express.Router({ mergeParams: true })
  orders.get('/orders/:orderId', (req) => {
    throw Object.assign(new Error(`order ${req.params.orderId} is locked`), { status: 409 })
  })
  app.use('/tenants/:tenant', orders)

  app.use('/health', (_req, res) => {
    res.send('ok')
  })

  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.message })
  })
}
