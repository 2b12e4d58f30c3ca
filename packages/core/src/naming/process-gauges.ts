/** The gauges `ProcessMetrics` (aggregation/process-metrics.ts) sends, before naming (reserved: see naming.ts). */
export const PROCESS_GAUGE_NAMES: readonly string[] = [
  'process.event_loop.delay_p50_ms',
  'process.event_loop.delay_p99_ms',
  'process.event_loop.delay_max_ms',
  'process.event_loop.utilization',
  'process.memory.heap_used_bytes',
  'process.memory.rss_bytes',
]

/**
 * The same gauges under `otel` naming: the OpenTelemetry Node.js runtime, V8 and process
 * semantic-convention names. Their event-loop delays are in seconds (the conventions' unit), the
 * heap is the total over V8's spaces (the convention splits it by `v8js.heap.space.name`; the
 * sum of those series is this one).
 */
export const OTEL_PROCESS_GAUGE_NAMES: ReadonlyMap<string, string> = new Map([
  ['process.event_loop.delay_p50_ms', 'nodejs.eventloop.delay.p50'],
  ['process.event_loop.delay_p99_ms', 'nodejs.eventloop.delay.p99'],
  ['process.event_loop.delay_max_ms', 'nodejs.eventloop.delay.max'],
  ['process.event_loop.utilization', 'nodejs.eventloop.utilization'],
  ['process.memory.heap_used_bytes', 'v8js.memory.heap.used'],
  ['process.memory.rss_bytes', 'process.memory.usage'],
])
