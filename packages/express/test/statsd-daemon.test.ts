import { statsdDaemonSuite } from '@routemeter/conformance'
import { type StatsdDaemon, startStatsdDaemon } from '@routemeter/core/testing'
import request from 'supertest'
import * as test from 'vitest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { routemeter } from '../src/index'
import { untilAsync } from './support/async'
import { EXPRESS_FACTORIES } from './support/conformance-factory'
import { requestCounters, SHOP_KEYS, sum } from './support/daemon-keys'
import { MAJORS, NAMINGS } from './support/harness'
import { addShopRoutes } from './support/shop-app'

// The shop every adapter builds, in both naming styles: the conformance suite. Below, the same
// against Express' own shapes: a router in a router, a parameterised mount, a function at a path.
for (const factory of EXPRESS_FACTORIES) statsdDaemonSuite({ test, factory })

describe.each(MAJORS)('$major against the real statsd daemon', ({ express }) => {
  let daemon: StatsdDaemon
  beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  afterAll(() => daemon.close())
  afterEach(() => daemon.clear())

  it.each(NAMINGS)(
    '%s naming: exact counts by route, method and status; timers; no bad lines',
    async (naming) => {
      const keys = SHOP_KEYS[naming]
      const metrics = routemeter({
        port: daemon.port,
        naming,
        prefix: null,
        flushIntervalMs: 3_600_000,
      })
      const app = express()
      app.use(metrics)
      addShopRoutes(app, express)

      await request(app).get('/api/v1/users/1').expect(200)
      await request(app).get('/api/v1/users/2').expect(200)
      await request(app).get('/api/v1/users/missing').expect(404)
      await request(app).post('/api/v1/users').expect(201)
      await request(app).delete('/api/v1/users/3').expect(204)
      await request(app).get('/tenants/acme/orders/9').expect(409)
      await request(app).get('/health').expect(200)
      await request(app).get('/nope/123').expect(404)
      await metrics.close()

      const counters = await daemon.waitForCounters((c) => sum(requestCounters(naming, c)) === 8)
      expect(requestCounters(naming, counters)).toEqual({
        [keys.usersGet200]: 2,
        [keys.usersGet404]: 1,
        [keys.usersPost201]: 1,
        [keys.usersDelete204]: 1,
        [keys.ordersGet409]: 1,
        [keys.healthGet200]: 1,
        [keys.unmatchedGet404]: 1,
      })
      // Timer lines may come in a datagram after the counters.
      await untilAsync(async () => {
        const timers = await daemon.timers()
        return (
          timers[keys.usersGet200Durations]?.length === 2 &&
          timers[keys.usersGetDbQuery]?.length === 3
        )
      }, 'the daemon has every timer sample')
      expect(await daemon.badLines()).toBe(0)
    },
  )
})
