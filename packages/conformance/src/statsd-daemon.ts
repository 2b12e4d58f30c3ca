import { waitUntil } from '@routemeter/core/testing'
import { sharedDaemon } from './fixture'
import { NAMINGS, type Naming } from './measured'
import { NO_INTERVAL } from './net'
import { type ShopRequest, serveShop } from './shop-app'
import type { SuiteContext } from './suite'

/**
 * What the reference Etsy statsd daemon (npm `statsd`) makes of what the adapter sends, in both
 * naming styles: exact counts by route template, method and status — nested prefixes, thrown
 * errors, 204s and unmatched requests included — timers, and no bad lines.
 */

const REQUESTS: ReadonlyArray<ShopRequest> = [
  ['GET', '/api/v1/users/1', 200],
  ['GET', '/api/v1/users/2', 200],
  ['GET', '/api/v1/users/missing', 404],
  ['POST', '/api/v1/users', 201],
  ['DELETE', '/api/v1/users/3', 204],
  ['GET', '/tenants/acme/orders/9', 409],
  ['GET', '/broken', 500],
  ['GET', '/health', 200],
  ['GET', '/nope/123', 404],
]

/** The daemon's keys, as it files them (tags folded into `;k=v`, `/` → `-`), and their counts. */
const EXPECTED: Record<
  Naming,
  { counters: Record<string, number>; timers: Record<string, number> }
> = {
  tags: {
    counters: {
      'http.server.requests;route=-api-v1-users-id;method=GET;status_code=200;status_class=2xx': 2,
      'http.server.requests;route=-api-v1-users-id;method=GET;status_code=404;status_class=4xx': 1,
      'http.server.requests;route=-api-v1-users;method=POST;status_code=201;status_class=2xx': 1,
      'http.server.requests;route=-api-v1-users-id;method=DELETE;status_code=204;status_class=2xx': 1,
      'http.server.requests;route=-tenants-tenant-orders-orderId;method=GET;status_code=409;status_class=4xx': 1,
      'http.server.requests;route=-broken;method=GET;status_code=500;status_class=5xx': 1,
      'http.server.requests;route=-health;method=GET;status_code=200;status_class=2xx': 1,
      'http.server.requests;route=unmatched;method=GET;status_code=404;status_class=4xx': 1,
    },
    timers: {
      'http.server.duration;route=-api-v1-users-id;method=GET;status_code=200;status_class=2xx': 2,
      'db.query;route=-api-v1-users-id;method=GET': 3,
    },
  },
  path: {
    counters: {
      'counters.api.v1.users._id.GET.200': 2,
      'counters.api.v1.users._id.GET.404': 1,
      'counters.api.v1.users.POST.201': 1,
      'counters.api.v1.users._id.DELETE.204': 1,
      'counters.tenants._tenant.orders._orderId.GET.409': 1,
      'counters.broken.GET.500': 1,
      'counters.health.GET.200': 1,
      'counters._unmatched.GET.404': 1,
    },
    timers: {
      'timers.api.v1.users._id.GET.200': 2,
      'timers.api.v1.users._id.GET.db.query': 3,
    },
  },
}

/** The daemon's request counters only (not user metrics, not its own). */
function requestCounters(naming: Naming, counters: Record<string, number>): Record<string, number> {
  const prefix = naming === 'tags' ? 'http.server.requests;' : 'counters.'
  return Object.fromEntries(Object.entries(counters).filter(([key]) => key.startsWith(prefix)))
}

export function statsdDaemonSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect } = test

  describe(`${factory.name} against the real statsd daemon`, () => {
    const shared = sharedDaemon(test)

    it.each(NAMINGS)(
      '%s naming: exact counts by route, method and status; timers; no bad lines',
      async (naming) => {
        const { daemon } = shared
        await serveShop(
          expect,
          factory,
          { port: daemon.port, naming, prefix: null, flushIntervalMs: NO_INTERVAL },
          REQUESTS,
        )

        const expected = EXPECTED[naming]
        const total = REQUESTS.length
        const counters = await daemon.waitForCounters(
          (c) => Object.values(requestCounters(naming, c)).reduce((a, b) => a + b, 0) === total,
        )
        expect(requestCounters(naming, counters)).toEqual(expected.counters)
        // Timer lines may come in a datagram after the counters.
        await waitUntil(
          async () => {
            const timers = await daemon.timers()
            return Object.entries(expected.timers).every(([key, n]) => timers[key]?.length === n)
          },
          'the daemon has every timer sample',
          10_000,
          20,
        )
        expect(await daemon.badLines()).toBe(0)
      },
    )
  })
}
