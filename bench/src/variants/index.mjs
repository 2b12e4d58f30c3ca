// The variant list. Metadata only: the heavy imports happen in the server process.
//
// kind:    bare | control (a second bare process measured like a variant: shows the method's own
//          bias and noise) | floor | routemeter | peer | diagnostic (only when --filter names it)
// fullOnly: left out of --quick runs unless --filter names it.
// emits:   statsd (sends to the sink) | prometheus (records in-process, pull) | none
// scrape:  for Prometheus emitters serving an exposition on the app's port: its path and the
//          histogram whose `_count` samples, summed, must equal the requests served (checked by
//          one HTTP scrape after the last round).
// perRequest: for StatsD emitters, the counter increments and timer samples one request
//          produces, used to check on the sink that nothing was lost.

export const VARIANTS = [
  { id: 'fastify-bare', framework: 'fastify', kind: 'bare', label: 'Fastify bare' },
  {
    id: 'fastify-bare-twin',
    framework: 'fastify',
    kind: 'control',
    label: 'Fastify bare, second process (A/A control)',
  },
  {
    id: 'fastify-hooks',
    framework: 'fastify',
    kind: 'floor',
    label: 'Fastify + 2 empty hooks (floor)',
  },
  {
    id: 'fastify-onrequest-hook',
    framework: 'fastify',
    kind: 'diagnostic',
    label: 'Fastify + 1 empty onRequest hook',
  },
  {
    id: 'fastify-routemeter-tags',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (tags)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-routemeter-reservoir',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (tags, maxSamplesPerFlush 100)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-routemeter-path',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (path)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    // OpenTelemetry names: no counter (the duration's count is the count), series split by
    // scheme and HTTP version, in-flight requests per method and scheme.
    id: 'fastify-routemeter-otel',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (otel)',
    emits: 'statsd',
    perRequest: { counter: 0, samples: 1 },
  },
  {
    id: 'fastify-routemeter-timer',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (tags) + handler timer',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 2 },
  },
  {
    id: 'fastify-routemeter-label',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (tags) + 1 request label',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-routemeter-packed',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (tags, packValues)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-routemeter-prom',
    framework: 'fastify',
    kind: 'routemeter',
    label: 'Fastify + routemeter (tags, Prometheus only: statsd false, /metrics route)',
    emits: 'prometheus',
    scrape: { path: '/metrics', histogram: 'http_server_duration_seconds' },
  },
  {
    id: 'fastify-routemeter-disabled',
    framework: 'fastify',
    kind: 'diagnostic',
    label: 'Fastify + routemeter (enabled: false; diagnostic)',
  },
  {
    id: 'fastify-routemeter-8k',
    framework: 'fastify',
    kind: 'diagnostic',
    label: 'Fastify + routemeter (tags, maxBufferSize 8192; diagnostic)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-hotshots',
    framework: 'fastify',
    kind: 'peer',
    label: 'Fastify + hot-shots per request (unbuffered)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-hotshots-buffered',
    framework: 'fastify',
    kind: 'peer',
    label: 'Fastify + hot-shots per request (maxBufferSize 1432)',
    fullOnly: true,
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'fastify-fastify-metrics',
    framework: 'fastify',
    kind: 'peer',
    label: 'Fastify + fastify-metrics (prom)',
    emits: 'prometheus',
    scrape: { path: '/metrics', histogram: 'http_request_duration_seconds' },
  },
  {
    id: 'fastify-immobiliarelabs',
    framework: 'fastify',
    kind: 'peer',
    label: 'Fastify + @immobiliarelabs/fastify-metrics',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  { id: 'express-bare', framework: 'express', kind: 'bare', label: 'Express bare' },
  {
    id: 'express-bare-twin',
    framework: 'express',
    kind: 'control',
    label: 'Express bare, second process (A/A control)',
  },
  {
    id: 'express-finish',
    framework: 'express',
    kind: 'floor',
    label: "Express + empty 'finish' listener (floor)",
  },
  {
    id: 'express-routemeter-tags',
    framework: 'express',
    kind: 'routemeter',
    label: 'Express + routemeter (tags)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'express-routemeter-path',
    framework: 'express',
    kind: 'routemeter',
    label: 'Express + routemeter (path)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    // OpenTelemetry names: no counter (the duration's count is the count), series split by
    // scheme and HTTP version, in-flight requests per method and scheme.
    id: 'express-routemeter-otel',
    framework: 'express',
    kind: 'routemeter',
    label: 'Express + routemeter (otel)',
    emits: 'statsd',
    perRequest: { counter: 0, samples: 1 },
  },
  {
    id: 'express-routemeter-label',
    framework: 'express',
    kind: 'routemeter',
    label: 'Express + routemeter (tags) + 1 request label',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'express-routemeter-prom',
    framework: 'express',
    kind: 'routemeter',
    label: 'Express + routemeter (tags, Prometheus only: statsd false, /metrics route)',
    emits: 'prometheus',
    scrape: { path: '/metrics', histogram: 'http_server_duration_seconds' },
  },
  {
    id: 'express-routemeter-disabled',
    framework: 'express',
    kind: 'diagnostic',
    label: 'Express + routemeter (enabled: false; diagnostic)',
  },
  {
    id: 'express-prom-bundle',
    framework: 'express',
    kind: 'peer',
    label: 'Express + express-prom-bundle (prom)',
    emits: 'prometheus',
    scrape: { path: '/metrics', histogram: 'http_request_duration_seconds' },
  },
  {
    id: 'express-connect-datadog',
    framework: 'express',
    kind: 'peer',
    label: 'Express + connect-datadog',
    emits: 'statsd',
    perRequest: { counter: 2, samples: 1 },
  },
  {
    id: 'koa-bare',
    framework: 'koa',
    kind: 'bare',
    label: 'Koa bare (@koa/router)',
  },
  {
    id: 'koa-bare-twin',
    framework: 'koa',
    kind: 'control',
    label: 'Koa bare, second process (A/A control)',
  },
  {
    id: 'koa-middleware',
    framework: 'koa',
    kind: 'floor',
    label: 'Koa + 1 empty middleware (floor)',
  },
  {
    id: 'koa-routemeter-tags',
    framework: 'koa',
    kind: 'routemeter',
    label: 'Koa + routemeter (tags)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'koa-routemeter-disabled',
    framework: 'koa',
    kind: 'diagnostic',
    label: 'Koa + routemeter (enabled: false; diagnostic)',
  },
  {
    id: 'koa-prometheus-api-metrics',
    framework: 'koa',
    kind: 'peer',
    label: "Koa + prometheus-api-metrics' Koa middleware (prom)",
    emits: 'prometheus',
  },
  { id: 'hono-bare', framework: 'hono', kind: 'bare', label: 'Hono bare (@hono/node-server)' },
  {
    id: 'hono-bare-twin',
    framework: 'hono',
    kind: 'control',
    label: 'Hono bare, second process (A/A control)',
  },
  {
    id: 'hono-middleware',
    framework: 'hono',
    kind: 'floor',
    label: 'Hono + 1 empty middleware (floor)',
  },
  {
    id: 'hono-routemeter-tags',
    framework: 'hono',
    kind: 'routemeter',
    label: 'Hono + routemeter (tags)',
    emits: 'statsd',
    perRequest: { counter: 1, samples: 1 },
  },
  {
    id: 'hono-routemeter-disabled',
    framework: 'hono',
    kind: 'diagnostic',
    label: 'Hono + routemeter (enabled: false; diagnostic)',
  },
  {
    id: 'hono-prometheus',
    framework: 'hono',
    kind: 'peer',
    label: 'Hono + @hono/prometheus (prom)',
    emits: 'prometheus',
  },
]

export function variantById(id) {
  const v = VARIANTS.find((x) => x.id === id)
  if (!v) throw new Error(`unknown variant ${id}; known: ${VARIANTS.map((x) => x.id).join(', ')}`)
  return v
}

const BUILDERS = {
  fastify: async () => ({ build: (await import('./fastify.mjs')).buildFastify }),
  express: async () => ({ build: (await import('./express.mjs')).buildExpress }),
  koa: async () => ({ build: (await import('./koa.mjs')).buildKoa }),
  hono: async () => ({ build: (await import('./hono.mjs')).buildHono }),
}

/** Builds the server for a variant (called in the server process). */
export async function buildVariant(id, ctx) {
  const v = variantById(id)
  const kind = id.slice(v.framework.length + 1)
  const { build } = await BUILDERS[v.framework]()
  return build(kind, ctx)
}
