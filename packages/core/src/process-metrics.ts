import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { GaugeSeries } from './series'

type EventLoopUtilization = ReturnType<typeof performance.eventLoopUtilization>

/** The gauges {@link ProcessMetrics} sends, before naming (reserved: see naming.ts). */
export const PROCESS_GAUGE_NAMES: readonly string[] = [
  'process.event_loop.delay_p50_ms',
  'process.event_loop.delay_p99_ms',
  'process.event_loop.delay_max_ms',
  'process.event_loop.utilization',
  'process.memory.heap_used_bytes',
  'process.memory.rss_bytes',
]

/** Saturation gauges of the process, sampled once per flush (opt-in: `processMetrics`). */
export class ProcessMetrics {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })
  private utilization: EventLoopUtilization = performance.eventLoopUtilization()

  constructor(private readonly gauge: (name: string) => GaugeSeries) {
    this.delay.enable()
  }

  sample(): void {
    const delay = this.delay
    // The histogram is in nanoseconds; StatsD users read milliseconds.
    if (delay.count > 0) {
      this.gauge('process.event_loop.delay_p50_ms').set(delay.percentile(50) / 1e6)
      this.gauge('process.event_loop.delay_p99_ms').set(delay.percentile(99) / 1e6)
      this.gauge('process.event_loop.delay_max_ms').set(delay.max / 1e6)
    }
    delay.reset()
    const now = performance.eventLoopUtilization()
    this.gauge('process.event_loop.utilization').set(
      performance.eventLoopUtilization(now, this.utilization).utilization,
    )
    this.utilization = now
    const memory = process.memoryUsage()
    this.gauge('process.memory.heap_used_bytes').set(memory.heapUsed)
    this.gauge('process.memory.rss_bytes').set(memory.rss)
  }

  stop(): void {
    this.delay.disable()
  }
}
