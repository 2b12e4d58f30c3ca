import { performance } from 'node:perf_hooks'
import type { DatagramPacker } from '../outputs/statsd/datagram-packer'
import type { Series } from './series'

/**
 * Every live series, for flushing, and the cap on how many may exist: the bound that keeps
 * memory flat whatever labels a client or a careless caller produces.
 */
export class SeriesRegistry {
  private readonly all: Series[] = []
  private readonly byKey = new Map<string, Series>()

  constructor(private readonly maxSeries: number) {}

  get size(): number {
    return this.all.length
  }

  get hasRoom(): boolean {
    return this.all.length < this.maxSeries
  }

  /** Adds a series that its owner looks up itself (request series live on their route). */
  add<T extends Series>(series: T): T {
    this.all.push(series)
    return series
  }

  get(key: string): Series | undefined {
    return this.byKey.get(key)
  }

  addKeyed<T extends Series>(key: string, series: T): T {
    this.byKey.set(key, series)
    return this.add(series)
  }

  drainAll(packer: DatagramPacker): void {
    for (const series of this.all) series.drain(packer)
  }

  /**
   * Drains series from index `start` on until the clock passes `deadline` (a
   * `performance.now()` value). Returns the index to continue from, or -1 once the last series
   * is drained. The clock is read after every series: one series is at most
   * `maxSamplesPerSeries` lines, so a slice overruns its deadline by no more than that.
   */
  drainUntil(packer: DatagramPacker, start: number, deadline: number): number {
    const all = this.all
    for (let i = start; i < all.length; i++) {
      const series = all[i] as Series
      series.drain(packer)
      if (performance.now() >= deadline && i + 1 < all.length) return i + 1
    }
    return -1
  }
}
