import { type ExecutionTimers, NO_EXECUTION_TIMERS } from './aggregation/route-metrics'
import type { Meter } from './meter'

/**
 * Where an adapter keeps a request's timers when they are reached through a property installed
 * by {@link installTimersProperty}. From the global symbol registry, so that two copies of an
 * adapter (its ESM and CJS builds, loaded side by side) read and write the same slot.
 */
export const TIMERS_SLOT: unique symbol = Symbol.for('routemeter.timers')

type Slotted = { [TIMERS_SLOT]?: ExecutionTimers }

/** Marks an accessor as routemeter's, so a second installation leaves it alone. */
const kInstalled = Symbol.for('routemeter.timersProperty')

/**
 * Makes `property` (`req.metrics`, `ctx.metrics`) present on every object that inherits from
 * `proto`, also on requests routemeter's middleware never saw — it is mounted after the routes
 * that answer them, or behind middleware that answers first. A handler's
 * `req.metrics.time(...)` then records nothing instead of throwing a TypeError, and `unseen` is
 * told (to report the misordered mount once). Set by routemeter through {@link TIMERS_SLOT}; an
 * assignment to `property` goes to the same slot. `find`: where else an adapter keeps the
 * timers of an object that has none in that slot (Express keeps them on the connection).
 *
 * Returns false, changing nothing, when `proto` has a property of that name of someone else's.
 */
export function installTimersProperty(
  proto: object,
  property: string,
  unseen: (target: object) => void,
  find?: (target: object) => ExecutionTimers | undefined,
): boolean {
  const existing = Object.getOwnPropertyDescriptor(proto, property)
  if (existing !== undefined)
    return (existing.get as { [kInstalled]?: true })?.[kInstalled] === true
  const get = Object.assign(
    function routemeterTimers(this: Slotted): ExecutionTimers {
      const timers = this[TIMERS_SLOT] ?? find?.(this)
      if (timers !== undefined) return timers
      unseen(this)
      return NO_EXECUTION_TIMERS
    },
    { [kInstalled]: true as const },
  )
  Object.defineProperty(proto, property, {
    get,
    set(this: Slotted, value: ExecutionTimers) {
      this[TIMERS_SLOT] = value
    },
    configurable: true,
    enumerable: false,
  })
  return true
}

/**
 * Reports, once per meter, that an adapter's middleware is mounted where it misses requests:
 * the same words and the fix for every framework.
 */
export function reportMisorderedMount(
  meter: Meter,
  middleware: string,
  answeredBy: string,
  fix: string,
): void {
  if (reported.has(meter)) return
  reported.add(meter)
  try {
    meter.options.logger.warn(
      `routemeter: the ${middleware} is mounted after ${answeredBy}: the requests answered there are not measured, and their timers record nothing. Mount it before them: ${fix}`,
    )
  } catch {
    // A throwing logger must not turn a notice into an app fault.
  }
}

const reported = new WeakSet<Meter>()
