import dns from 'node:dns'
import { isIP } from 'node:net'

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address?: string,
  family?: number,
) => void

/** How long an answer is used before it is looked up again (hot-shots' `cacheDnsTtl` default). */
const ANSWER_TTL_MS = 60_000
/** How long a failed lookup is believed: datagrams sent meanwhile fail at once. */
const FAILURE_TTL_MS = 1_000
/** Datagrams dgram may park here while a name with no answer is looked up again; more fail. */
const MAX_WAITING = 64

/**
 * Name resolution for the UDP socket when StatsD is given as a host name: the `lookup` of its
 * dgram socket, plus the start-up lookup the transport waits for.
 *
 * hot-shots' own DNS cache (`cacheDns`) keeps only successes: while a name does not resolve,
 * every datagram starts its own `getaddrinfo` on libuv's thread pool and holds its buffer until
 * the answer. Under load that backlog grows without bound — memory rises with every request, and
 * the app's own file system, crypto and DNS work waits behind thousands of lookups. Here:
 *
 * - the name is looked up once at start-up, any address family (IPv4 preferred when the name
 *   has both), so an IPv6-only name works; later lookups ask for the family first found;
 * - one lookup at a time; an answer is used for a minute, and a stale one keeps being used
 *   while the next lookup runs (or when it fails), so a DNS hiccup does not stop metrics;
 * - a failure with no answer to fall back on is remembered for a second: datagrams sent
 *   meanwhile fail at once, and are counted as dropped like any send error;
 * - while there is neither an answer nor a fresh failure ({@link HostLookup.unsettled}) the
 *   transport holds its datagrams itself, bounded by bytes, and sends them on the answer.
 */
export class HostLookup {
  private address: string | undefined
  /** 4 or 6 once a first answer came; 0 before. */
  family: 0 | 4 | 6 = 0
  private expiresAt = 0
  private failure: NodeJS.ErrnoException | undefined
  private failureUntil = 0
  private resolving = false
  private readonly waiting: LookupCallback[] = []

  constructor(
    private readonly host: string,
    /** Told after every lookup: the error when there is still no address to use. */
    private readonly onSettled: (error: NodeJS.ErrnoException | undefined) => void,
  ) {
    this.resolve()
  }

  /**
   * True when a datagram sent now could neither use an address nor fail at once: no answer yet
   * and no fresh failure. Starts a lookup if none runs.
   */
  get unsettled(): boolean {
    if (this.address !== undefined) return false
    if (this.failure !== undefined && Date.now() < this.failureUntil) return false
    this.resolve()
    return true
  }

  /** The last error, when there is no address to use. */
  get error(): NodeJS.ErrnoException | undefined {
    return this.address === undefined ? this.failure : undefined
  }

  /**
   * The function dgram calls before each send, and once to bind (with the wildcard address):
   * `lookup(hostname, options, callback)`. Only the StatsD host name is cached.
   */
  readonly lookup = (hostname: string, options: unknown, callback?: LookupCallback): void => {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback
    if (hostname !== this.host) {
      const version = isIP(hostname)
      if (version !== 0) process.nextTick(done, null, hostname, version)
      else dns.lookup(hostname, { family: this.family }, done)
      return
    }
    const now = Date.now()
    if (this.address !== undefined) {
      if (now >= this.expiresAt) this.resolve()
      process.nextTick(done, null, this.address, this.family)
      return
    }
    if (this.failure !== undefined && now < this.failureUntil) {
      process.nextTick(done, this.failure)
      return
    }
    if (this.waiting.length >= MAX_WAITING) {
      process.nextTick(done, busy(hostname))
      return
    }
    this.waiting.push(done)
    this.resolve()
  }

  private resolve(): void {
    if (this.resolving) return
    this.resolving = true
    dns.lookup(this.host, { family: this.family, all: true }, (error, answers) => {
      this.resolving = false
      const now = Date.now()
      const answer = error ? undefined : (answers.find((a) => a.family === 4) ?? answers[0])
      if (answer === undefined) {
        const failure = error ?? notFound(this.host)
        if (this.address !== undefined) this.expiresAt = now + FAILURE_TTL_MS
        this.failure = failure
        this.failureUntil = now + FAILURE_TTL_MS
      } else {
        this.address = answer.address
        this.family = answer.family === 6 ? 6 : 4
        this.expiresAt = now + ANSWER_TTL_MS
        this.failure = undefined
      }
      this.onSettled(this.error)
      for (const done of this.waiting.splice(0)) {
        if (this.address === undefined) done(this.failure ?? null)
        else done(null, this.address, this.family)
      }
    })
  }
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
  error.code = 'ENOTFOUND'
  return error
}

function busy(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `getaddrinfo EAI_AGAIN ${hostname}: still resolving, ${MAX_WAITING} datagrams already wait`,
  )
  error.code = 'EAI_AGAIN'
  return error
}
