import http from 'node:http'
import {
  captureFaultWarnings,
  type FaultWarnings,
  type ProcessFaultWatch,
  type StatsdReceiver,
  sendHttpLoad,
  startStatsdReceiver,
  waitUntil,
  watchProcessFaults,
} from '@routemeter/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RoutemeterMiddleware, routemeter } from '../src/index'
import { closeServer, listen } from './support/async'
import { type ExpressFactory, MAJORS } from './support/harness'

/**
 * A TCP StatsD that dies and comes back while a real Express server is under load: the meter
 * reconnects by itself, the app never notices, and every line the meter produced is accounted
 * for — received, or counted in `stats().droppedLines`.
 */

const TOTAL = 40_000
const MAX_QUEUE_BYTES = 32 * 1024

interface Subject {
  readonly server: http.Server
  readonly metrics: RoutemeterMiddleware
  readonly port: number
}

async function start(
  express: ExpressFactory,
  receiver: StatsdReceiver,
  log: FaultWarnings,
): Promise<Subject> {
  const metrics = routemeter({
    protocol: 'tcp',
    port: receiver.port,
    flushIntervalMs: 10,
    maxQueueBytes: MAX_QUEUE_BYTES,
    logger: log.logger,
  })
  const app = express()
  app.use(metrics)
  app.get('/users/:id', async (req, res) => {
    const id = await req.metrics.time('db.query', async () => String(req.params.id))
    res.json({ id })
  })
  const server = http.createServer(app)
  return { server, metrics, port: await listen(server) }
}

interface Load {
  readonly done: Promise<string[]>
  responses(): number
}

/** Starts the load in the background; `done` resolves with the responses that were wrong. */
function startLoad(port: number): Load {
  let responses = 0
  const wrong: string[] = []
  const done = sendHttpLoad({
    port,
    total: TOTAL,
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
async function outage(metrics: RoutemeterMiddleware, receiver: StatsdReceiver): Promise<void> {
  const refusedBefore = metrics.meter.stats().faults['tcp-connection'] ?? 0
  await receiver.stop()
  await waitUntil(
    () => (metrics.meter.stats().faults['tcp-connection'] ?? 0) > refusedBefore,
    'a reconnect attempt was refused',
  )
  await receiver.start()
  await waitUntil(() => receiver.connectionCount === 1, 'the meter reconnected by itself')
}

describe('a TCP StatsD killed and restarted during load (Express)', () => {
  let watch: ProcessFaultWatch
  let receiver: StatsdReceiver
  let subject: Subject | undefined
  beforeEach(async () => {
    watch = watchProcessFaults()
    receiver = await startStatsdReceiver({ protocol: 'tcp' })
  })
  afterEach(async () => {
    if (subject) await closeServer(subject.server)
    subject = undefined
    watch.stop()
    await receiver.close()
  })

  it.each(MAJORS)(
    '$major: reconnects by itself; received + dropped = recorded, exactly; responses unaffected',
    async ({ express }) => {
      const log = captureFaultWarnings()
      subject = await start(express, receiver, log)
      const { metrics } = subject
      const load = startLoad(subject.port)

      for (const at of [8_000, 20_000]) {
        await waitUntil(() => load.responses() >= at, `${at} responses`, 20_000)
        // Killed between two writes (everything written so far was read), so the peer's death
        // loses nothing inside the kernel; see the next test for a death with bytes in flight.
        await waitUntil(
          () => {
            const { lines, droppedLines } = metrics.meter.stats()
            return receiver.lines().length + droppedLines === lines
          },
          'the receiver has read every line written',
          5_000,
          1,
        )
        const linesAtKill = metrics.meter.stats().lines
        await outage(metrics, receiver)
        expect(load.responses()).toBeLessThan(TOTAL)
        // Requests went on while StatsD was away, and their metrics were produced meanwhile.
        expect(metrics.meter.stats().lines).toBeGreaterThan(linesAtKill)
      }
      expect(await load.done).toEqual([])
      await closeServer(subject.server)
      await metrics.close()

      const stats = metrics.meter.stats()
      await waitUntil(
        () => receiver.lines().length + stats.droppedLines >= stats.lines,
        'every line not dropped has arrived',
      )
      expect({ received: receiver.lines().length, dropped: stats.droppedLines }).toEqual({
        received: stats.lines - stats.droppedLines,
        dropped: stats.droppedLines,
      })
      // The outages overflowed the 32 KB queue: losses happened and are the ones counted.
      expect(stats.droppedLines).toBeGreaterThan(0)
      expect(log.byKind()).toEqual({ 'tcp-connection': 1, 'queue-overflow': 1 })
      expect(watch.faults).toEqual([])
    },
  )

  it('Express 5, killed with bytes in flight: reconnects, nothing counted twice, the app unaffected', async () => {
    const log = captureFaultWarnings()
    subject = await start((MAJORS[0] as (typeof MAJORS)[number]).express, receiver, log)
    const { metrics } = subject
    const load = startLoad(subject.port)

    for (const at of [6_000, 16_000, 26_000]) {
      await waitUntil(() => load.responses() >= at, `${at} responses`, 20_000)
      await outage(metrics, receiver)
      expect(load.responses()).toBeLessThan(TOTAL)
    }
    expect(await load.done).toEqual([])
    await closeServer(subject.server)
    await metrics.close()

    const stats = metrics.meter.stats()
    await waitUntil(
      () => receiver.lines().length + stats.droppedLines >= stats.lines * 0.95,
      'the lines not dropped have arrived',
    )
    // Bytes the dead peer's kernel had accepted but its process never read cannot be seen by any
    // sender (StatsD has no acknowledgements): they are the only lines not accounted for. Nothing
    // is ever counted twice, and the loss is a sliver of the traffic.
    const unaccounted = stats.lines - stats.droppedLines - receiver.lines().length
    expect(unaccounted).toBeGreaterThanOrEqual(0)
    expect(unaccounted).toBeLessThan(stats.lines * 0.05)
    console.info(
      `Express, TCP peer killed 3 times mid-write: ${stats.lines} lines, ${stats.droppedLines} dropped and counted, ${unaccounted} lost in the dead peer's buffers`,
    )
    expect(Object.keys(log.byKind())).toContain('tcp-connection')
    for (const count of Object.values(log.byKind())) expect(count).toBe(1)
    expect(watch.faults).toEqual([])
  })
})
