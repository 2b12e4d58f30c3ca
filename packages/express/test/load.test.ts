import http from 'node:http'
import { type StatsdDaemon, startStatsdDaemon } from '@routemeter/core/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { closeServer, listen } from './support/async'
import { requestCounters, SHOP_KEYS, sum } from './support/daemon-keys'
import { MAJORS, type Naming } from './support/harness'
import { type PlannedRequest, sendLoad } from './support/load'
import { addShopRoutes } from './support/shop-app'

const TOTAL = 10_000

/** Request `i` of the mix: ten kinds in turn, over several routes, statuses and methods. */
function plan(i: number): PlannedRequest {
  switch (i % 10) {
    case 4:
      return { method: 'POST', path: '/api/v1/users' }
    case 5:
      return { method: 'GET', path: '/api/v1/users/missing' }
    case 6:
      return { method: 'DELETE', path: `/api/v1/users/${i}` }
    case 7:
      return { method: 'GET', path: `/tenants/t${i % 7}/orders/${i}` }
    case 8:
      return { method: 'GET', path: '/health' }
    case 9:
      return { method: 'GET', path: `/nope/${i}` }
    default:
      return { method: 'GET', path: `/api/v1/users/${i}` }
  }
}

// One run per Express major, each in one naming style (both styles of both majors meet the daemon
// in statsd-daemon.test.ts), to keep this affordable on a 2-core CI machine.
const RUNS = MAJORS.map((major, i) => ({
  ...major,
  naming: (i % 2 === 0 ? 'tags' : 'path') as Naming,
}))

// The daemon is reached over TCP here: a burst of 10 000 requests' timer samples over UDP can
// overflow a loopback socket buffer, and this test is about the adapter's counting being exact.
describe.each(RUNS)(
  '$major, $naming naming: a 10 000-request mixed load',
  ({ express, naming }) => {
    let daemon: StatsdDaemon
    let server: http.Server
    beforeAll(async () => {
      daemon = await startStatsdDaemon({ protocol: 'tcp' })
    })
    afterAll(() => daemon.close())
    afterEach(async () => {
      await closeServer(server)
      await daemon.clear()
    })

    it('gives exactly matching counts in statsd, by route, method and status', async () => {
      const metrics = routemeter({ port: daemon.port, protocol: 'tcp', naming, prefix: null })
      const app = express()
      app.use(metrics)
      addShopRoutes(app, express)
      server = http.createServer(app)
      const port = await listen(server)

      const statuses = await sendLoad(port, TOTAL, plan)
      await metrics.close()

      expect(Object.fromEntries(statuses)).toEqual({
        200: 5000,
        201: 1000,
        204: 1000,
        404: 2000,
        409: 1000,
      })
      const keys = SHOP_KEYS[naming]
      const counters = await daemon.waitForCounters((c) => sum(requestCounters(naming, c)) >= TOTAL)
      expect(requestCounters(naming, counters)).toEqual({
        [keys.usersGet200]: 4000,
        [keys.usersPost201]: 1000,
        [keys.usersGet404]: 1000,
        [keys.usersDelete204]: 1000,
        [keys.ordersGet409]: 1000,
        [keys.healthGet200]: 1000,
        [keys.unmatchedGet404]: 1000,
      })
      expect(await daemon.badLines()).toBe(0)
      expect(metrics.meter.stats()).toMatchObject({
        activeRequests: 0,
        droppedLines: 0,
        overflowed: 0,
      })
    })
  },
)
