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
/** Datagrams that may wait for the first answer; more fail at once. */
const MAX_WAITING = 64

/**
 * Name resolution for the UDP socket when StatsD is given as a host name: the `lookup` of its
 * dgram socket.
 *
 * hot-shots' own DNS cache (`cacheDns`) keeps only successes: while a name does not resolve,
 * every datagram starts its own `getaddrinfo` on libuv's thread pool and holds its buffer until
 * the answer. Under load that backlog grows without bound — memory rises with every request, and
 * the app's own file system, crypto and DNS work waits behind thousands of lookups. Here:
 *
 * - one lookup at a time; an answer is used for a minute, and a stale one keeps being used
 *   while the next lookup runs (or when it fails), so a DNS hiccup does not stop metrics;
 * - a failure with no answer to fall back on is remembered for a second: datagrams sent
 *   meanwhile fail at once, and are counted as dropped like any send error;
 * - at most {@link MAX_WAITING} datagrams wait for an answer; more fail at once.
 */
export class HostLookup {
  private address: string | undefined
  private addressFamily = 0
  private expiresAt = 0
  private failure: NodeJS.ErrnoException | undefined
  private failureUntil = 0
  private resolving = false
  private readonly waiting: LookupCallback[] = []

  constructor(
    private readonly host: string,
    private readonly family: 4 | 6,
  ) {}

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
      if (now >= this.expiresAt) this.resolve(hostname)
      process.nextTick(done, null, this.address, this.addressFamily)
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
    this.resolve(hostname)
  }

  private resolve(hostname: string): void {
    if (this.resolving) return
    this.resolving = true
    dns.lookup(hostname, { family: this.family }, (error, address, family) => {
      this.resolving = false
      const now = Date.now()
      if (error) {
        if (this.address !== undefined) this.expiresAt = now + FAILURE_TTL_MS
        this.failure = error
        this.failureUntil = now + FAILURE_TTL_MS
      } else {
        this.address = address
        this.addressFamily = family
        this.expiresAt = now + ANSWER_TTL_MS
        this.failure = undefined
      }
      for (const done of this.waiting.splice(0)) {
        if (this.address === undefined) done(error)
        else done(null, this.address, this.addressFamily)
      }
    })
  }
}

function busy(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `getaddrinfo EAI_AGAIN ${hostname}: still resolving, ${MAX_WAITING} datagrams already wait`,
  )
  error.code = 'EAI_AGAIN'
  return error
}
