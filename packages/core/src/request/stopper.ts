// The module, not the global: test environments such as Jest 26's have no global `performance`.
import { performance } from 'node:perf_hooks'

/** Stops a timer and records it once; returns the elapsed milliseconds. `using`-friendly. */
export interface Stopper {
  (): number
  [Symbol.dispose](): void
}

export function startStopper(record: (elapsedMs: number) => void): Stopper {
  const start = performance.now()
  let elapsed = -1
  const stop = (): number => {
    if (elapsed < 0) {
      elapsed = performance.now() - start
      record(elapsed)
    }
    return elapsed
  }
  return Object.assign(stop, { [Symbol.dispose]: stop })
}

/** Runs `fn` under a stopper, recording when it returns, throws, resolves or rejects. */
export function timeCall<T>(stop: Stopper, fn: () => T): T {
  let result: T
  try {
    result = fn()
  } catch (error) {
    stop()
    throw error
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        stop()
        return value
      },
      (error: unknown) => {
        stop()
        throw error
      },
    ) as T
  }
  stop()
  return result
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
