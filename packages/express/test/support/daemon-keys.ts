import type { Naming } from './harness'

/**
 * The statsd daemon's keys for the request series of the shop app (support/shop-app.ts). In tag
 * style the daemon folds `|#k:v` tags into `;k=v` and sanitises (`/` → `-`, `:` dropped); in
 * path style it uses the names as sent.
 */
export const SHOP_KEYS = {
  tags: {
    usersGet200:
      'http.server.requests;route=-api-v1-users-id;method=GET;status_code=200;status_class=2xx',
    usersGet404:
      'http.server.requests;route=-api-v1-users-id;method=GET;status_code=404;status_class=4xx',
    usersPost201:
      'http.server.requests;route=-api-v1-users;method=POST;status_code=201;status_class=2xx',
    usersDelete204:
      'http.server.requests;route=-api-v1-users-id;method=DELETE;status_code=204;status_class=2xx',
    ordersGet409:
      'http.server.requests;route=-tenants-tenant-orders-orderId;method=GET;status_code=409;status_class=4xx',
    healthGet200: 'http.server.requests;route=-health;method=GET;status_code=200;status_class=2xx',
    unmatchedGet404:
      'http.server.requests;route=unmatched;method=GET;status_code=404;status_class=4xx',
    usersGet200Durations:
      'http.server.duration;route=-api-v1-users-id;method=GET;status_code=200;status_class=2xx',
    usersGetDbQuery: 'db.query;route=-api-v1-users-id;method=GET',
  },
  path: {
    usersGet200: 'counters.api.v1.users._id.GET.200',
    usersGet404: 'counters.api.v1.users._id.GET.404',
    usersPost201: 'counters.api.v1.users.POST.201',
    usersDelete204: 'counters.api.v1.users._id.DELETE.204',
    ordersGet409: 'counters.tenants._tenant.orders._orderId.GET.409',
    healthGet200: 'counters.health.GET.200',
    unmatchedGet404: 'counters._unmatched.GET.404',
    usersGet200Durations: 'timers.api.v1.users._id.GET.200',
    usersGetDbQuery: 'timers.api.v1.users._id.GET.db.query',
  },
} as const

/** Whether a daemon counter key is a request counter (not a user metric or the daemon's own). */
export function isRequestCounter(naming: Naming, key: string): boolean {
  return naming === 'tags' ? key.startsWith('http.server.requests;') : key.startsWith('counters.')
}

/** The daemon's request counters only, and their sum. */
export function requestCounters(
  naming: Naming,
  counters: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counters).filter(([key]) => isRequestCounter(naming, key)),
  )
}

export function sum(counters: Record<string, number>): number {
  return Object.values(counters).reduce((total, value) => total + value, 0)
}
