/**
 * What the Nest app serves, once per platform: each request, the status Nest answers, the route
 * label routemeter must count it under (`null`: not measured), and whether the handler's
 * `db.query` timer runs. The same table runs on platform-express and platform-fastify. Where the
 * platforms differ (their routers do), the row says so with `{ express, fastify }`.
 *
 * A row: [what it shows, 'METHOD /path', status, label, options: headers, JSON body, timer].
 */
const ROWS = [
  // A controller route under the global prefix `api` and URI version 1.
  ['controller route', 'GET /api/v1/users/1', 200, '/api/v1/users/:id', timed()],
  ['ParseIntPipe rejects the id', 'GET /api/v1/users/abc', 400, '/api/v1/users/:id'],
  ['NotFoundException', 'GET /api/v1/users/999', 404, '/api/v1/users/:id', timed()],
  ['POST creates', 'POST /api/v1/users', 201, '/api/v1/users', { body: { name: 'alan' } }],
  ['ConflictException', 'POST /api/v1/users', 409, '/api/v1/users', { body: { name: 'ada' } }],
  // A guard that throws UnauthorizedException, one that returns false (Nest's 403), and a pass.
  ['guard: no key', 'GET /api/admin/stats', 401, '/api/admin/stats'],
  ['guard: wrong key', 'GET /api/admin/stats', 403, '/api/admin/stats', withKey('wrong')],
  ['guard lets through', 'GET /api/admin/stats', 200, '/api/admin/stats', withKey('secret-key')],
  // An unversioned controller; its exception filter turns a domain error into 410.
  ['unversioned controller', 'GET /api/reports/2024', 200, '/api/reports/:year'],
  ['exception filter sets 410', 'GET /api/reports/1999', 410, '/api/reports/:year'],
  // What Nest handlers return besides values: an Observable, a stream; an interceptor's 408.
  ['Observable', 'GET /api/reports/2024/summary', 200, '/api/reports/:year/summary'],
  ['StreamableFile', 'GET /api/reports/2024/export', 200, '/api/reports/:year/export'],
  ['interceptor times out', 'GET /api/reports/2024/forecast', 408, '/api/reports/:year/forecast'],
  ['unhandled error', 'POST /api/reports/2024/rebuild', 500, '/api/reports/:year/rebuild'],
  // No route: one bucket, never the raw path.
  ['unknown path', 'GET /wp-login.php', 404, 'unmatched'],
  ['unknown path under the prefix', 'GET /api/nothing/here', 404, 'unmatched'],
  ['version that does not exist', 'GET /api/v2/users/1', 404, 'unmatched'],
  ['route without its prefix', 'GET /users/1', 404, 'unmatched'],
  ['method with no route', 'DELETE /api/v1/users/1', 404, 'unmatched'],
  ['HEAD of a GET route', 'HEAD /api/v1/users/1', 200, '/api/v1/users/:id'],
  // Where the platforms' routers differ. Express matches a trailing slash; Fastify does not.
  [
    'trailing slash',
    'GET /api/v1/users/1/',
    { express: 200, fastify: 404 },
    { express: '/api/v1/users/:id', fastify: 'unmatched' },
    { express: timed(), fastify: {} },
  ],
  // Empty `:id`: Express finds no route; Fastify's router matches `:id` with '', and Nest's
  // FastifyAdapter then calls reply.callNotFound(), which @routemeter/fastify counts under the
  // route that matched (its documented rule for callNotFound).
  ['empty :id', 'GET /api/v1/users/', 404, { express: 'unmatched', fastify: '/api/v1/users/:id' }],
  // Excluded from the global prefix and from metrics.
  ['health check', 'GET /health', 200, null],
]

export const PLATFORMS = ['express', 'fastify']

function withKey(key) {
  return { headers: { 'x-api-key': key } }
}

/** The handler runs and times its lookup (`db.query`, tagged with the route and GET). */
function timed() {
  return { timed: true }
}

function on(platform, value) {
  const perPlatform =
    value !== null && typeof value === 'object' && PLATFORMS.every((name) => name in value)
  return perPlatform ? value[platform] : value
}

/** The table as `platform` serves it. */
export function scenariosFor(platform) {
  return ROWS.map(([what, request, status, route, options = {}]) => {
    const [method, path] = request.split(' ')
    return {
      what,
      method,
      path,
      status: on(platform, status),
      route: on(platform, route),
      timed: false,
      ...on(platform, options),
    }
  })
}

/** `route method status` → how many requests of the table routemeter must count under it. */
export function expectedCounts(scenarios) {
  const counts = {}
  for (const { method, status, route } of scenarios) {
    if (route === null) continue
    const key = `${route} ${method} ${status}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}
