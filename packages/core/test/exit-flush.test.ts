import { execFile } from 'node:child_process'
import { afterEach, describe, it } from 'vitest'
import { type StatsdReceiver, startStatsdReceiver } from '../src/testing'

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
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { cwd: `${__dirname}/..` }, (error) =>
        error ? reject(error) : resolve(),
      ),
    )
    await receiver.waitFor(
      (r) =>
        r.counter('http.server.requests') === 300 &&
        r.timings('http.server.duration').length === 300,
    )
  })
})
