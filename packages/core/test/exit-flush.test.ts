import { execFile } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { parseStatsdLine, type StatsdReceiver, startStatsdReceiver } from '../src/testing'

/** Runs `script` in a fresh Node process; resolves with how it ended (killed after `timeoutMs`). */
function runScript(
  script: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['-e', script],
      { cwd: `${__dirname}/..`, timeout: timeoutMs },
      () => resolve({ code: child.exitCode, signal: child.signalCode }),
    )
  })
}

describe('a process that exits without close()', () => {
  let receiver: StatsdReceiver | undefined
  afterEach(() => receiver?.close())

  it('still sends what was recorded since the last flush', async () => {
    receiver = await startStatsdReceiver()
    const script = `
      const { createMeter } = require('@routemeter/core')
      const meter = createMeter({ port: ${receiver.port}, flushIntervalMs: 3600000 })
      for (let i = 0; i < 300; i++) meter.route('/jobs').record('POST', 202, i)
      // No close(), no flush(): the event loop simply runs dry.
    `
    expect(await runScript(script, 20_000)).toEqual({ code: 0, signal: null })
    await receiver.waitFor(
      (r) =>
        r.counter('http.server.requests') === 300 &&
        r.timings('http.server.duration').length === 300,
    )
  })

  // The meter's own gauges (active requests, process metrics) used to be re-sent on every
  // `beforeExit`, and each send made `beforeExit` fire again: the process never ended and
  // flooded StatsD (185 868 gauge lines in 5 s over TCP).
  for (const protocol of ['udp', 'tcp'] as const) {
    for (const processMetrics of [false, true]) {
      it(`${protocol}${processMetrics ? ' with processMetrics' : ''}: requests tracked by an adapter are sent once and the process exits`, async () => {
        receiver = await startStatsdReceiver({ protocol })
        const script = `
          const { createMeter } = require('@routemeter/core')
          const meter = createMeter({
            protocol: '${protocol}', port: ${receiver.port}, flushIntervalMs: 3600000,
            processMetrics: ${processMetrics},
          })
          // What both adapters do for every request.
          for (let i = 0; i < 300; i++) {
            const startedAt = meter.requestStarted()
            meter.requestEnded(meter.route('/jobs'), 'POST', 202, startedAt)
          }
        `
        // A generous bound: the process either ends on its own or never does.
        expect(await runScript(script, 20_000)).toEqual({ code: 0, signal: null })
        await receiver.waitFor((r) => r.counter('http.server.requests') === 300)
        // Let anything still in flight arrive before counting gauge lines.
        await new Promise((resolve) => setTimeout(resolve, 200))
        expect(receiver.find('http.server.active_requests')).toHaveLength(1)
        expect(receiver.find('http.server.active_requests')[0]?.values).toEqual(['0'])
        expect(receiver.timings('http.server.duration')).toHaveLength(300)
        if (processMetrics) expect(receiver.find('process.memory.heap_used_bytes')).toHaveLength(1)
      })
    }
  }

  // The interval flush goes out in slices (sliced-flush.test.ts); a process whose loop would
  // otherwise be done must still finish it, then let `beforeExit` send what came in between.
  it('that records while an interval flush is under way sends every request once and exits', async () => {
    receiver = await startStatsdReceiver()
    const script = `
      const { createMeter } = require('@routemeter/core')
      const meter = createMeter({ port: ${receiver.port}, flushIntervalMs: 10 })
      const statuses = [200, 201, 204, 301, 302, 400, 401, 403, 404, 500]
      function record() {
        for (let r = 0; r < 400; r++) {
          const route = meter.route('/s' + r)
          for (const status of statuses) route.record('GET', status, 1)
        }
      }
      record()
      record()
      // A third request on each of the 4 000 series once the interval flush has begun.
      function third() {
        if (meter.stats().lines > 0) record()
        else setImmediate(third)
      }
      setImmediate(third)
    `
    expect(await runScript(script, 20_000)).toEqual({ code: 0, signal: null })
    await receiver.waitFor((r) => r.counter('http.server.requests') >= 12_000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const perSeries = new Map<string, number[]>()
    for (const line of receiver.lines()) {
      const sample = parseStatsdLine(line)
      const key = `${sample.tags.route} ${sample.tags.status_code}`
      const got = perSeries.get(key) ?? [0, 0]
      if (sample.type === 'c') got[0] = (got[0] ?? 0) + Number(sample.values[0])
      else got[1] = (got[1] ?? 0) + sample.values.length
      perSeries.set(key, got)
    }
    expect(perSeries.size).toBe(4000)
    expect([...perSeries].filter(([, [count, samples]]) => count !== 3 || samples !== 3)).toEqual(
      [],
    )
  })
})
