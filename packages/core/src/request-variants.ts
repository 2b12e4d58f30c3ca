import type { ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { RawResponse } from './response-end'

/**
 * What splits a request series beyond route × method × status: the connection's scheme and
 * HTTP version (OpenTelemetry naming) and the user's request labels. Interned: one object per
 * distinct combination, whose `id` goes into the series key so the key stays a number.
 */
export interface SeriesVariant {
  readonly id: number
  /** `http` or `https` (`url.scheme`); `undefined` when the naming does not use it. */
  readonly scheme: string | undefined
  /** `1.0`, `1.1`, `2` (`network.protocol.version`); `undefined` when the naming does not use it. */
  readonly protocolVersion: string | undefined
  /** Request labels by name (`labels` option); `undefined` when none are configured. */
  readonly labels: Readonly<Record<string, string>> | undefined
}

/**
 * Room for every method × status key (status ≤ 999) below one variant: a variant's `id` times
 * this goes into the series key.
 */
export function variantStride(methodStride: number): number {
  return 1000 * methodStride
}

/** Reads the label values of one request; built from the `labels` option. */
export interface LabelReader {
  /** Label values by name for a finished request; `request` is the framework's request object. */
  read(request: unknown): Readonly<Record<string, string>>
  /** A lookup key for the values `read` returned. */
  key(values: Readonly<Record<string, string>>): string
}

/** The part of Node's requests read here (`http.IncomingMessage`, `http2.Http2ServerRequest`). */
export interface RawRequestLike {
  readonly method?: string
  readonly httpVersion?: string
  readonly scheme?: string
  readonly socket?: (Partial<Pick<TLSSocket, 'encrypted'>> & object) | null
}

/**
 * Computes the variant of each finished request; only built when a naming style or an option
 * needs one, so requests of a meter without them never get here.
 */
export class SeriesVariants {
  private readonly interned = new Map<string, SeriesVariant>()
  /** Variants by scheme × version slot, when only the connection splits series. */
  private readonly byConnection: Array<SeriesVariant | undefined> = []

  constructor(
    /** Whether `scheme` and `protocolVersion` are read (OpenTelemetry naming). */
    private readonly connection: boolean,
    private readonly labels: LabelReader | undefined,
  ) {}

  /** True when there is something to split series by. */
  get active(): boolean {
    return this.connection || this.labels !== undefined
  }

  of(res: RawResponse | undefined, request: unknown): SeriesVariant {
    const raw = rawRequestOf(res)
    if (this.labels === undefined) return this.ofConnection(raw)
    const scheme = this.connection ? schemeOf(raw) : undefined
    const protocolVersion = this.connection ? protocolVersionOf(raw) : undefined
    const labels = this.labels.read(request)
    return this.intern(scheme, protocolVersion, labels, this.labels.key(labels))
  }

  /**
   * Scheme and version only (otel naming without labels): the variant comes from a small table,
   * with no key string built per request.
   */
  private ofConnection(raw: RawRequestLike | undefined): SeriesVariant {
    const scheme = schemeOf(raw)
    const protocolVersion = protocolVersionOf(raw)
    const slot = connectionSlot(scheme, protocolVersion)
    if (slot === -1) return this.intern(scheme, protocolVersion, undefined, '')
    const found = this.byConnection[slot]
    if (found !== undefined) return found
    const variant = this.intern(scheme, protocolVersion, undefined, '')
    this.byConnection[slot] = variant
    return variant
  }

  private intern(
    scheme: string | undefined,
    protocolVersion: string | undefined,
    labels: Readonly<Record<string, string>> | undefined,
    labelsKey: string,
  ): SeriesVariant {
    const key = `${scheme}\u0001${protocolVersion}\u0001${labelsKey}`
    let variant = this.interned.get(key)
    if (variant === undefined) {
      variant = { id: this.interned.size + 1, scheme, protocolVersion, labels }
      this.interned.set(key, variant)
    }
    return variant
  }
}

const SCHEME_SLOTS: ReadonlyArray<string | undefined> = ['http', 'https', undefined]
const VERSION_SLOTS: ReadonlyArray<string | undefined> = ['1.1', '2', '1.0', undefined]

/** The table slot of a scheme and version; -1 for a combination outside the table. */
function connectionSlot(scheme: string | undefined, protocolVersion: string | undefined): number {
  const s = SCHEME_SLOTS.indexOf(scheme)
  const v = VERSION_SLOTS.indexOf(protocolVersion)
  return s === -1 || v === -1 ? -1 : s * VERSION_SLOTS.length + v
}

/** Node's request behind a response (`res.req`, HTTP/1 and HTTP/2 alike). */
export function rawRequestOf(res: RawResponse | undefined): RawRequestLike | undefined {
  return (res as ServerResponse | undefined)?.req as RawRequestLike | undefined
}

/** `https` for a TLS connection (or an HTTP/2 request that says so), else `http`. */
export function schemeOf(raw: RawRequestLike | undefined): string | undefined {
  if (raw === undefined) return undefined
  if (typeof raw.scheme === 'string') return raw.scheme
  return raw.socket?.encrypted === true ? 'https' : 'http'
}

/** OpenTelemetry spells HTTP/2 as `2`, where Node says `2.0`. */
function protocolVersionOf(raw: RawRequestLike | undefined): string | undefined {
  const version = raw?.httpVersion
  if (version === undefined) return undefined
  return version === '2.0' ? '2' : version
}
