import { type MeterOptions, resolveOptions } from '../config/options'
import { AggregatingMeter, type Meter } from '../meter'
import type { PayloadTransport, TransportStats } from '../transport/transport'
import { StatsdLines } from './statsd-lines'

/**
 * A real meter (same naming, aggregation and packing) whose datagrams land in memory, for
 * asserting on metrics in tests without a socket. Call `meter.flush()` before asserting.
 */
export class CaptureMeter extends StatsdLines {
  readonly meter: Meter
  /** Every datagram the meter produced, as sent. */
  readonly payloads: string[] = []

  constructor(options: MeterOptions<never> = {}) {
    super()
    const resolved = resolveOptions({ ...(options as MeterOptions), enabled: true })
    this.meter = new AggregatingMeter(resolved, () => new MemoryTransport(this.payloads))
  }

  lines(): string[] {
    return this.payloads.flatMap((payload) => payload.split('\n'))
  }

  clear(): void {
    this.payloads.length = 0
  }
}

/** `Request`: what the `labels` functions are given (the framework's request object). */
export function createCaptureMeter<Request = unknown>(
  options: MeterOptions<Request> = {},
): CaptureMeter {
  return new CaptureMeter(options as MeterOptions<never>)
}

class MemoryTransport implements PayloadTransport {
  readonly client = undefined
  private bytes = 0

  constructor(private readonly payloads: string[]) {}

  send(payload: string): void {
    this.payloads.push(payload)
    this.bytes += payload.length
  }

  stats(): TransportStats {
    return { datagrams: this.payloads.length, bytes: this.bytes, droppedLines: 0, queuedBytes: 0 }
  }

  async settle(): Promise<void> {}

  async close(): Promise<void> {}
}
