import http from 'node:http'

/** The route templates both example apps register, in the order the tables show them. */
export const ROUTE_TEMPLATES = [
  '/api/products',
  '/api/products/:id',
  '/api/orders',
  '/api/carts/:cartId/checkout',
  '/api/reports/sales',
]

const SCANNER_PATHS = ['/wp-login.php', '/.env', '/api/v2/products', '/admin', '/favicon.ico']
/** After this long an impatient client gives up on the slow report (it takes 200–700 ms). */
const ABORT_AFTER_MS = 100

/** The traffic mix, in percent. Every fifth cart fails at the payment provider: a 500. */
const SCENARIOS = [
  { weight: 15, method: 'GET', path: () => '/api/products' },
  { weight: 37, method: 'GET', path: () => `/api/products/${randomInt(1, 50)}` },
  { weight: 6, method: 'GET', path: () => `/api/products/${randomInt(900, 999)}` },
  {
    weight: 12,
    method: 'POST',
    path: () => '/api/orders',
    body: () => ({ productId: randomInt(1, 50), quantity: randomInt(1, 5) }),
  },
  { weight: 4, method: 'POST', path: () => '/api/orders', body: () => ({ quantity: 0 }) },
  { weight: 12, method: 'POST', path: () => `/api/carts/${randomInt(1, 100_000)}/checkout` },
  { weight: 6, method: 'GET', path: () => SCANNER_PATHS[randomInt(0, SCANNER_PATHS.length - 1)] },
  { weight: 7, method: 'GET', path: () => '/api/reports/sales', slow: true },
  { weight: 1, method: 'GET', path: () => '/api/reports/sales', abortAfterMs: ABORT_AFTER_MS },
]
const TOTAL_WEIGHT = SCENARIOS.reduce((sum, scenario) => sum + scenario.weight, 0)

/**
 * Virtual users against one app: each sends a request from the mix, waits for the answer (or
 * gives up on it), pauses a little, and goes again. Keep-alive connections, as real clients
 * and load balancers use. Tallies what it sent, by the status it got back; a request it
 * aborted counts as 499, the status the server records for a client that left.
 */
export class LoadGenerator {
  sent = 0
  byStatus = new Map()
  byWorker = new Map()
  slow = 0
  aborted = 0
  /** Requests that failed at the client for another reason: whether the server saw them is unknown. */
  failed = 0
  lastError = undefined
  #running = false
  #users = []

  constructor(url, { concurrency = 8, thinkMs = 25 } = {}) {
    this.url = new URL(url)
    this.concurrency = concurrency
    this.thinkMs = thinkMs
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  }

  countClass(statusClass) {
    let total = 0
    for (const [status, count] of this.byStatus) if (status[0] === statusClass) total += count
    return total
  }

  start() {
    this.#running = true
    for (let i = 0; i < this.concurrency; i++) this.#users.push(this.#user())
  }

  /** Stops sending; resolves when every request in flight has been answered or abandoned. */
  async stop() {
    this.#running = false
    await Promise.all(this.#users)
    this.agent.destroy()
  }

  async #user() {
    while (this.#running) {
      await this.#send(pick())
      if (this.#running) await sleep(Math.random() * 2 * this.thinkMs)
    }
  }

  #send(scenario) {
    return new Promise((resolve) => {
      const body = scenario.body === undefined ? undefined : JSON.stringify(scenario.body())
      const controller = scenario.abortAfterMs === undefined ? undefined : new AbortController()
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: scenario.method,
          path: scenario.path(),
          agent: this.agent,
          signal: controller?.signal,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume()
          res.once('end', () => {
            this.#tally(String(res.statusCode))
            if (scenario.slow) this.slow++
            const worker = res.headers['x-worker-id']
            if (worker !== undefined)
              this.byWorker.set(worker, (this.byWorker.get(worker) ?? 0) + 1)
            resolve()
          })
          res.once('error', () => {})
        },
      )
      const timer =
        controller === undefined
          ? undefined
          : setTimeout(() => controller.abort(), scenario.abortAfterMs)
      req.once('error', (error) => {
        clearTimeout(timer)
        if (controller?.signal.aborted) {
          this.aborted++
          this.#tally('499')
        } else {
          this.failed++
          this.lastError = error.message
        }
        resolve()
      })
      req.once('close', () => clearTimeout(timer))
      req.end(body)
    })
  }

  #tally(status) {
    this.sent++
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1)
  }
}

function pick() {
  let roll = Math.random() * TOTAL_WEIGHT
  for (const scenario of SCENARIOS) {
    roll -= scenario.weight
    if (roll < 0) return scenario
  }
  return SCENARIOS[0]
}

function randomInt(min, max) {
  return min + Math.floor(Math.random() * (max - min + 1))
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
