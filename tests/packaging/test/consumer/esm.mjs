// An ESM app, as a user would write it against the installed tarballs: Fastify with the plugin,
// pushing to the StatsD receiver on STATSD_PORT. Also loads the /testing entry.
import { RoutemeterOptionError } from '@routemeter/core'
import { createCaptureMeter } from '@routemeter/core/testing'
import routemeter from '@routemeter/fastify'
import Fastify from 'fastify'

const app = Fastify()
await app.register(routemeter, { port: Number(process.env.STATSD_PORT), prefix: 'consumer.esm' })
app.get('/users/:id', async (request) => {
  const stop = request.metrics.timer('db.query')
  stop()
  return { id: request.params.id }
})
for (const id of [1, 2, 3]) await app.inject(`/users/${id}`)
await app.close()

let sharedEngine = false
try {
  createCaptureMeter({ port: 0 })
} catch (error) {
  sharedEngine = error instanceof RoutemeterOptionError
}
console.log(JSON.stringify({ sharedEngine }))
