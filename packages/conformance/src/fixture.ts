import {
  type StatsdDaemon,
  type StatsdReceiver,
  startStatsdDaemon,
  startStatsdReceiver,
} from '@routemeter/core/testing'
import { type ProcessFaultWatch, watchProcessFaults } from '@routemeter/test-support'
import type { StartedApp } from './adapter'
import type { TestApi } from './suite'

/** What each test of a fault scenario gets fresh, and what is torn down after it. */
export interface Fixture {
  /** Uncaught exceptions, unhandled rejections and warnings of the process during the test. */
  readonly watch: ProcessFaultWatch
  readonly receiver: StatsdReceiver
  /** The app under test; set it once started, it is disposed after the test whatever happened. */
  app: StartedApp
}

/**
 * Registers the per-test set-up every fault scenario needs: a process-fault watch, a fresh
 * receiver on `protocol`, and the teardown of the app the test started. With `faultFree`, every
 * test must also end with no process fault (checked after it).
 */
export function fixture(
  test: TestApi,
  protocol: 'udp' | 'tcp',
  { faultFree = false }: { faultFree?: boolean } = {},
): Fixture {
  let watch: ProcessFaultWatch | undefined
  let receiver: StatsdReceiver | undefined
  let app: StartedApp | undefined
  test.beforeEach(async () => {
    watch = watchProcessFaults()
    receiver = await startStatsdReceiver({ protocol })
  })
  test.afterEach(async () => {
    await app?.dispose()
    app = undefined
    if (faultFree) test.expect(watch?.faults).toEqual([])
    watch?.stop()
    await receiver?.close()
  })
  const present = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is used outside a test`)
    return value
  }
  return {
    get watch() {
      return present(watch, 'the fault watch')
    },
    get receiver() {
      return present(receiver, 'the receiver')
    },
    get app() {
      return present(app, 'the app (not started yet)')
    },
    set app(started: StartedApp) {
      app = started
    },
  }
}

/**
 * One real Etsy statsd daemon for every test of a describe block (it takes a second to start),
 * emptied after each test so counts are per test.
 */
export function sharedDaemon(test: TestApi): { readonly daemon: StatsdDaemon } {
  let daemon: StatsdDaemon | undefined
  test.beforeAll(async () => {
    daemon = await startStatsdDaemon()
  })
  test.afterEach(() => daemon?.clear())
  test.afterAll(() => daemon?.close())
  return {
    get daemon() {
      if (daemon === undefined) throw new Error('the statsd daemon is used outside a test')
      return daemon
    },
  }
}
