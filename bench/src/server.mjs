// One benchmark server: builds the variant named on the command line, listens on an
// ephemeral loopback port, reports the port over IPC, and measures its own CPU time between
// `start` and `stop` (process.cpuUsage, user + system) together with the number of requests
// its handler ran, so CPU per request is what this process spent, whatever the load
// generator did.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { announceFailure, announceReady, serve } from './lib/ipc.mjs'
import { buildVariant } from './variants/index.mjs'

// Memory readings (the RSS run, the soak) come after a full collection, so they show what is
// held, not garbage the collector had not got to yet. The flag is set at run time, so every
// server starts the same way.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc')

const config = JSON.parse(process.argv[2])
const counter = { served: 0 }
let totalServed = 0
let cpuStart
let wallStart
let closed = false

try {
  const server = await buildVariant(config.variant, {
    sinkPort: config.sinkPort,
    routes: config.routes ?? 0,
    counter,
  })

  serve({
    async flush() {
      await server.flush()
      return {}
    },
    // Open the measurement window. The orchestrator flushed the warm-up already; this flush
    // only sends what a meter emits on every flush (its active-requests gauge), so it is
    // counted on both sides: in the stats delta (taken before it) and on the sink.
    async start() {
      const stats = server.stats() ?? null
      await server.flush()
      totalServed += counter.served
      counter.served = 0
      wallStart = performance.now()
      cpuStart = process.cpuUsage()
      return { stats }
    },
    // Close the window after flushing, so aggregation and sending are paid inside it.
    async stop() {
      await server.flush()
      const cpu = process.cpuUsage(cpuStart)
      const wallMs = performance.now() - wallStart
      const served = counter.served
      totalServed += served
      counter.served = 0
      const mem = process.memoryUsage()
      return {
        served,
        totalServed,
        userUs: cpu.user,
        systemUs: cpu.system,
        wallMs,
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        stats: server.stats() ?? null,
        check: (await server.check()) ?? null,
      }
    },
    // What the variant recorded against every request served, once no load runs: measured
    // windows end under load, so a check taken there races the requests still arriving.
    async verify() {
      totalServed += counter.served
      counter.served = 0
      return { totalServed, check: (await server.check()) ?? null }
    },
    memory() {
      totalServed += counter.served
      counter.served = 0
      collectGarbage()
      collectGarbage()
      const mem = process.memoryUsage()
      return { rss: mem.rss, heapUsed: mem.heapUsed, totalServed, stats: server.stats() ?? null }
    },
    // Closes the app (which flushes and closes its metrics) and reports the final stats, so
    // the orchestrator can compare every line ever sent with what the sink received.
    async finish() {
      await server.close()
      closed = true
      return { stats: server.stats() ?? null, totalServed: totalServed + counter.served }
    },
    async close() {
      if (!closed) await server.close()
      setImmediate(() => process.exit(0))
      return {}
    },
  })
  announceReady({ port: server.port, pid: process.pid, startup: server.startup })
} catch (err) {
  announceFailure(err)
  setImmediate(() => process.exit(1))
}
