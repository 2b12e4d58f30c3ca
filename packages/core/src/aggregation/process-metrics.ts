import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { GaugeSeries } from './series'

type EventLoopUtilization = ReturnType<typeof performance.eventLoopUtilization>

/** Saturation gauges of the process, sampled once per flush (opt-in: `processMetrics`). */
export class ProcessMetrics {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })
  private utilization: EventLoopUtilization = performance.eventLoopUtilization()
  /** Nanoseconds per unit of the delay gauges: 1e6 for milliseconds, 1e9 for seconds (`otel`). */
  private readonly delayUnitNs: number

  constructor(
    private readonly gauge: (name: string) => GaugeSeries,
    delayInSeconds = false,
  ) {
    this.delayUnitNs = delayInSeconds ? 1e9 : 1e6
    this.delay.enable()
  }

  sample(): void {
    const delay = this.delay
    // The histogram is in nanoseconds; StatsD users read milliseconds (OpenTelemetry: seconds).
    if (delay.count > 0) {
      const unit = this.delayUnitNs
      this.gauge('process.event_loop.delay_p50_ms').set(delay.percentile(50) / unit)
      this.gauge('process.event_loop.delay_p99_ms').set(delay.percentile(99) / unit)
      this.gauge('process.event_loop.delay_max_ms').set(delay.max / unit)
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
