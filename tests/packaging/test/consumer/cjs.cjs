// A CommonJS app against the installed tarballs: Express with the middleware, pushing to the
// StatsD receiver on STATSD_PORT, and the core meter on its own.
const { createMeter } = require('@routemeter/core')
const { routemeter } = require('@routemeter/express')
const express = require('express')

async function main() {
  const port = Number(process.env.STATSD_PORT)
  const app = express()
  const metrics = routemeter({ port, prefix: 'consumer.cjs' })
  app.use(metrics)
  app.get('/items/:id', (req, res) => res.json({ id: req.params.id }))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  for (const id of [1, 2]) {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/items/${id}`)
    await response.text()
  }
  await new Promise((resolve) => server.close(resolve))
  await metrics.close()

  const meter = createMeter({ port, prefix: 'consumer.cjs' })
  meter.increment('jobs.done', 5)
  await meter.close()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
