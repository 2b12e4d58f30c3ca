import v8 from 'node:v8'
import vm from 'node:vm'

let collect: (() => void) | undefined | null = null

/**
 * A full garbage collection, when the runtime lets us have one: `global.gc` if the process was
 * started with `--expose-gc`, else V8's `gc` obtained by turning the flag on at runtime (which V8
 * allows for this flag). `undefined` when neither works; callers then widen their margins.
 */
export function garbageCollector(): (() => void) | undefined {
  if (collect !== null) return collect
  const existing = (globalThis as { gc?: () => void }).gc
  if (typeof existing === 'function') {
    collect = existing
    return collect
  }
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as unknown
    collect = typeof gc === 'function' ? (gc as () => void) : undefined
  } catch {
    collect = undefined
  }
  return collect
}

/** What a memory bound is checked on: JavaScript heap and memory outside it (Buffers). */
export interface SettledMemory {
  /** Whether a full collection ran first; without one, numbers include garbage. */
  readonly collected: boolean
  readonly heapUsed: number
  /** Memory of Buffers and other off-heap objects (`external`, which includes `arrayBuffers`). */
  readonly external: number
  readonly rss: number
}

/** Memory in use after a full collection (twice, so what finalizers free goes too), if possible. */
export function settledMemory(): SettledMemory {
  const gc = garbageCollector()
  if (gc !== undefined) {
    gc()
    gc()
  }
  const usage = process.memoryUsage()
  return {
    collected: gc !== undefined,
    heapUsed: usage.heapUsed,
    external: usage.external,
    rss: usage.rss,
  }
}
