// The load generator: autocannon as a library, in its own process (pinned to the other core
// by the orchestrator). Each `run` sends a fixed number of requests and reports what the
// client saw; the server measures its own CPU time over the same requests.
import autocannon from 'autocannon'
import { announceReady, serve } from './lib/ipc.mjs'

/**
 * What autocannon requests from a server: `/`, or with `routes` the distinct route templates
 * `/s<i>/items/:id` round robin, ids varying too.
 */
function target(port, routes) {
  const url = `http://127.0.0.1:${port}`
  if (!(routes > 0)) return { url: `${url}/` }
  let next = 0
  const roundRobin = (req) => {
    const n = next++
    req.path = `/s${n % routes}/items/${n}`
    return req
  }
  return { url, requests: [{ method: 'GET', setupRequest: roundRobin }] }
}

function runOnce({ port, amount, duration, connections = 10, routes = 0 }) {
  const opts = {
    ...target(port, routes),
    ...(duration ? { duration } : { amount }),
    connections,
    pipelining: 1,
    timeout: 30,
  }
  // autocannon only notices the end of an `amount` run on its next sampling tick (1 s by
  // default), so ticks are made short and throughput is taken up to the last response.
  opts.sampleInt = 10
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage()
    const started = performance.now()
    let last = started
    let responses = 0
    const instance = autocannon(opts, (err, result) => {
      if (err) return reject(err)
      const elapsedMs = last - started
      const cpu = process.cpuUsage(cpu0)
      resolve({
        requests: result.requests.total,
        elapsedMs,
        rps: (responses / elapsedMs) * 1000,
        loaderCpuUs: cpu.user + cpu.system,
        loaderCpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - started),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
      })
    })
    instance.on('response', () => {
      responses++
      last = performance.now()
    })
  })
}

/**
 * Trickles: a few requests per second to each server waiting for its next window, so that none
 * sits idle (see paired.mjs). Stopped by id.
 */
const trickles = new Map()
let nextTrickle = 1

function startTrickle({ port, rate, routes = 0 }) {
  const instance = autocannon({
    ...target(port, routes),
    connections: 1,
    overallRate: rate,
    duration: 24 * 3600,
    timeout: 30,
  })
  const id = nextTrickle++
  trickles.set(id, instance)
  return { id }
}

function stopTrickle({ id }) {
  trickles.get(id)?.stop()
  trickles.delete(id)
  return {}
}

serve({
  run: runOnce,
  startTrickle,
  stopTrickle,
  close: () => {
    setImmediate(() => process.exit(0))
    return {}
  },
})
announceReady()
