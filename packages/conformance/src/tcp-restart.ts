import type { Meter } from '@routemeter/core'
import { type StatsdReceiver, waitUntil } from '@routemeter/core/testing'
import { captureFaultWarnings, type FaultWarnings, sendHttpLoad } from '@routemeter/test-support'
import type { AdapterFactory, AppSpec } from './adapter'
import { fixture } from './fixture'
import { type SuiteContext, scaled, WITHIN_LOG_MINUTE_MS } from './suite'

/**
 * A TCP StatsD that dies and comes back while a real server is under load: the meter
 * reconnects by itself, the app never notices, and every line the meter produced is accounted
 * for — received, or counted in `stats().droppedLines`.
 */

const TOTAL = 120_000
const MAX_QUEUE_BYTES = 32 * 1024

const USERS: AppSpec = {
  routes: [
    {
      method: 'GET',
      path: '/users/:id',
      async handler({ params, metrics }) {
        const id = await metrics?.time('db.query', async () => params.id)
        return { json: { id } }
      },
    },
  ],
}

function start(factory: AdapterFactory, receiver: StatsdReceiver, log: FaultWarnings) {
  return factory.start(USERS, {
    protocol: 'tcp',
    port: receiver.port,
    flushIntervalMs: 10,
    maxQueueBytes: MAX_QUEUE_BYTES,
    logger: log.logger,
  })
}

interface Load {
  readonly done: Promise<string[]>
  responses(): number
}

/** Starts the load in the background; `done` resolves with the responses that were wrong. */
function startLoad(port: number, total: number): Load {
  let responses = 0
  const wrong: string[] = []
  const done = sendHttpLoad({
    port,
    total,
    connections: 4,
    request: (i) => ({ method: 'GET', path: `/users/${i}` }),
    onResponse(i, response) {
      responses++
      if (response.status !== 200 || response.body !== `{"id":"${i}"}`) wrong.push(`#${i}`)
    },
  }).then(() => wrong)
  return { done, responses: () => responses }
}

/** Kills the receiver, waits until the meter has failed to reconnect at least once, restarts it. */
async function outage(meter: Meter, receiver: StatsdReceiver): Promise<void> {
  const refusedBefore = meter.stats().faults['tcp-connection'] ?? 0
  await receiver.stop()
  await waitUntil(
    () => (meter.stats().faults['tcp-connection'] ?? 0) > refusedBefore,
    'a reconnect attempt was refused',
  )
  await receiver.start()
  await waitUntil(() => receiver.connectionCount === 1, 'the meter reconnected by itself')
}

export function tcpRestartSuite({ test, factory }: SuiteContext): void {
  const { describe, it, expect } = test
  const total = scaled(factory, TOTAL)
  const at = (share: number): number => Math.round(total * share)

  describe(`${factory.name}: a TCP StatsD killed and restarted during load`, () => {
    const f = fixture(test, 'tcp')
    /** The app on a TCP meter to the fixture's receiver, with its load started. */
    const underLoad = async () => {
      const log = captureFaultWarnings()
      f.app = await start(factory, f.receiver, log)
      return { log, meter: f.app.meter as Meter, load: startLoad(f.app.port, total) }
    }

    it(
      'reconnects by itself; received + dropped = recorded, exactly; responses unaffected',
      async () => {
        const { log, meter, load } = await underLoad()

        for (const share of [1 / 6, 1 / 2]) {
          await waitUntil(() => load.responses() >= at(share), `${at(share)} responses`, 20_000)
          // Killed between two writes (everything written so far was read), so the peer's death
          // loses nothing inside the kernel; see the next test for a death with bytes in flight.
          await waitUntil(
            () => {
              const { lines, droppedLines } = meter.stats()
              return f.receiver.lines().length + droppedLines === lines
            },
            'the receiver has read every line written',
            5_000,
            1,
          )
          const linesAtKill = meter.stats().lines
          await outage(meter, f.receiver)
          expect(load.responses()).toBeLessThan(total)
          // Requests went on while StatsD was away, and their metrics were produced meanwhile.
          expect(meter.stats().lines).toBeGreaterThan(linesAtKill)
        }
        expect(await load.done).toEqual([])
        await f.app.shutdown()

        const stats = meter.stats()
        await waitUntil(
          () => f.receiver.lines().length + stats.droppedLines >= stats.lines,
          'every line not dropped has arrived',
        )
        expect({ received: f.receiver.lines().length, dropped: stats.droppedLines }).toEqual({
          received: stats.lines - stats.droppedLines,
          dropped: stats.droppedLines,
        })
        // The outages overflowed the 32 KB queue: losses happened and are the ones counted.
        expect(stats.droppedLines).toBeGreaterThan(0)
        expect(log.byKind()).toEqual({ 'tcp-connection': 1, 'queue-overflow': 1 })
        expect(f.watch.faults).toEqual([])
      },
      WITHIN_LOG_MINUTE_MS,
    )

    it(
      'killed with bytes in flight: reconnects, nothing counted twice, the app unaffected',
      async () => {
        const { log, meter, load } = await underLoad()

        for (const share of [1 / 8, 3 / 8, 5 / 8]) {
          await waitUntil(() => load.responses() >= at(share), `${at(share)} responses`, 20_000)
          await outage(meter, f.receiver)
          expect(load.responses()).toBeLessThan(total)
        }
        expect(await load.done).toEqual([])
        await f.app.shutdown()

        const stats = meter.stats()
        await waitUntil(
          () => f.receiver.lines().length + stats.droppedLines >= stats.lines * 0.95,
          'the lines not dropped have arrived',
        )
        // Bytes the dead peer's kernel had accepted but its process never read cannot be seen by any
        // sender (StatsD has no acknowledgements): they are the only lines not accounted for. Nothing
        // is ever counted twice, and the loss is a sliver of the traffic.
        const unaccounted = stats.lines - stats.droppedLines - f.receiver.lines().length
        expect(unaccounted).toBeGreaterThanOrEqual(0)
        expect(unaccounted).toBeLessThan(stats.lines * 0.05)
        console.info(
          `${factory.name}, TCP peer killed 3 times mid-write: ${stats.lines} lines, ${stats.droppedLines} dropped and counted, ${unaccounted} lost in the dead peer's buffers`,
        )
        expect(Object.keys(log.byKind())).toContain('tcp-connection')
        for (const count of Object.values(log.byKind())) expect(count).toBe(1)
        expect(f.watch.faults).toEqual([])
      },
      WITHIN_LOG_MINUTE_MS,
    )
  })
}
