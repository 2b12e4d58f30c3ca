import type * as vitest from 'vitest'
import type { AdapterFactory, Support, Supports } from './adapter'

/** The test API the suite registers its tests with: the caller's own vitest. */
export type TestApi = Pick<
  typeof vitest,
  'describe' | 'it' | 'expect' | 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach' | 'vi'
>

/** What every scenario group is called with: `suite({ test, factory })`. */
export interface SuiteContext {
  readonly test: TestApi
  readonly factory: AdapterFactory
}

/**
 * `ROUTEMETER_LOAD` scales every request total of the load scenarios (default 1): `0.05` runs a
 * twentieth while developing. The bounds asserted do not change with it.
 */
export function loadFactor(): number {
  const text = process.env.ROUTEMETER_LOAD
  if (text === undefined || text === '') return 1
  const factor = Number(text)
  if (!(factor > 0)) throw new Error(`ROUTEMETER_LOAD must be a number above 0, not ${text}`)
  return factor
}

/** `total` requests for this adapter: the suite's figure times the adapter's scale and the load factor. */
export function scaled(factory: AdapterFactory, total: number): number {
  return Math.max(1, Math.round(total * factory.loadScale * loadFactor()))
}

/** `total` scaled by the load factor only (scenarios every adapter runs at the same size). */
export function sized(total: number): number {
  return Math.max(1, Math.round(total * loadFactor()))
}

/**
 * `it` for a feature the adapter supports; for one it declares unsupported, `it.skip` with the
 * reason in the test name, so the skip is visible in every report.
 */
export function itIf(
  { test, factory }: SuiteContext,
  feature: keyof Supports,
): { it: TestApi['it']; suffix: string } {
  const support: Support = factory.supports[feature]
  if (support === true) return { it: test.it, suffix: '' }
  return {
    it: test.it.skip as TestApi['it'],
    suffix: ` — skipped: ${factory.name} does not support ${feature}: ${support.unsupported}`,
  }
}

/**
 * Time allowed to a scenario that drives a load of a hundred thousand requests or more: minutes
 * on a busy 2-core machine, not the 30 s a test gets by default. A time budget, not a bound.
 */
export const LOAD_TIMEOUT_MS = 180_000

/**
 * Time allowed to one soak scenario (`npm run soak`: 200 000 requests and more, after a warm-up):
 * it runs after the test suite, when nobody waits for it, on machines that may be busy.
 */
export const SOAK_TIMEOUT_MS = 600_000

/**
 * Time allowed to a load scenario that asserts one log line per fault kind: fault logging is
 * rate-limited to one line a minute, so the assertion holds for a run that ends inside that
 * minute (from the app's start); a slower run fails on time instead of on a second log line.
 */
export const WITHIN_LOG_MINUTE_MS = 55_000

/** How often the fault log may speak for one kind: once, then at most once a minute (core's fault-log). */
const FAULT_LOG_INTERVAL_MS = 60_000

/**
 * The most log lines one fault kind may have produced in `elapsedMs` under that rule: one for a
 * run inside the first minute, one more for each minute begun after it. A load run on a slow
 * machine may take longer than a minute; it is held to the rule, not to a deadline.
 */
export function faultLogLimit(elapsedMs: number): number {
  return Math.floor(elapsedMs / FAULT_LOG_INTERVAL_MS) + 1
}
