import type { DatagramPacker } from './datagram-packer'
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
}
