// A Prometheus scrape as the server sees one: an HTTP GET over a fresh connection, timed by
// the client, and the sum of one sample name over every series of the text exposition.
import { request } from 'node:http'
import { performance } from 'node:perf_hooks'

/**
 * GETs `http://127.0.0.1:<port><path>`. Resolves with status, body and wall time; a timeout or
 * a socket error resolves too (`error` set), so a run counts failed scrapes instead of dying.
 */
export function scrape(port, path = '/metrics', timeoutMs = 10_000) {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const done = (result) => resolve({ ms: performance.now() - t0, ...result })
    // A fresh connection per scrape, as Prometheus opens them when the target is slow to answer.
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/plain' } },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () =>
          done({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', (err) => done({ error: err.message }))
      },
    )
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (err) => done({ error: err.message }))
    req.end()
  })
}

/**
 * Sum of every sample named exactly `name` (with or without labels) in a text exposition,
 * and how many series carried it: `http_server_duration_seconds_count` summed over routes is
 * the requests the registry saw.
 */
export function sumSamples(body, name) {
  let total = 0
  let series = 0
  for (const line of body.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== '{' && rest[0] !== ' ') continue
    // The value follows the last space outside the labels (no timestamps in these expositions).
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) {
      total += value
      series++
    }
  }
  return { total, series }
}
