import type { ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { SeriesVariant } from '../naming/series-variant'
import { LABEL_OTHER, type LabelReader } from './request-labels'
import type { RawResponse } from './response-end'

export type { LabelReader } from './request-labels'

/**
 * Room for every method × status key (status ≤ 999) below one variant: a variant's `id` times
 * this goes into the series key.
 */
export function variantStride(methodStride: number): number {
  return 1000 * methodStride
}

/** The part of Node's requests read here (`http.IncomingMessage`, `http2.Http2ServerRequest`). */
export interface RawRequestLike {
  readonly method?: string
  readonly httpVersion?: string
  readonly socket?: (Partial<Pick<TLSSocket, 'encrypted'>> & object) | null
  /** HTTP/2 only: the request's stream, whose session knows whether the connection is TLS. */
  readonly stream?: { readonly session?: { readonly encrypted?: boolean } | null } | null
}

/** One level of the interning tree: a connection part or one label's value. */
class VariantNode {
  readonly children = new Map<string | undefined, VariantNode>()
  variant: SeriesVariant | undefined
}

/**
 * Computes the variant of each finished request; only built when a naming style or an option
 * needs one, so requests of a meter without them never get here.
 *
 * Variants are interned in a tree walked with the request's parts (scheme, version, each label
 * value), so a request of a known combination allocates nothing. The tree is bounded: at
 * `maxVariants` combinations, new ones get the overflow variant of their connection (every
 * label `_other`); label values are capped per label before.
 */
export class SeriesVariants {
  private readonly root = new VariantNode()
  private readonly overflowVariants = new Map<string, SeriesVariant>()
  private count = 0
  /** The current request's label values, reused: reading a known combination allocates nothing. */
  private readonly values: string[]

  constructor(
    /** Whether `scheme` and `protocolVersion` are read (OpenTelemetry naming). */
    private readonly connection: boolean,
    private readonly labels: LabelReader | undefined,
    /** Distinct variants kept (the series cap is the natural bound: each needs a series). */
    private readonly maxVariants = Number.POSITIVE_INFINITY,
    /**
     * The scheme read when the request started, if it was: an HTTP/2 stream that was cancelled
     * has lost its session (and with it whether the connection was TLS) by the time it ends.
     */
    private readonly schemeAtStart: (res: RawResponse | undefined) => string | undefined = () =>
      undefined,
  ) {
    this.values = labels === undefined ? [] : labels.names.map(() => '')
  }

  /** True when there is something to split series by. */
  get active(): boolean {
    return this.connection || this.labels !== undefined
  }

  /**
   * Label values recorded as `_other` beyond `maxLabelValues`. Requests past `maxVariants` are
   * not counted here: the series cap is reached first, so they land in the overflow bucket,
   * which counts them.
   */
  get overflowed(): number {
    return this.labels?.overflowed ?? 0
  }

  of(res: RawResponse | undefined, request: unknown): SeriesVariant {
    const raw = rawRequestOf(res)
    const scheme = this.connection ? (this.schemeAtStart(res) ?? schemeOf(raw)) : undefined
    const protocolVersion = this.connection ? protocolVersionOf(raw) : undefined
    let node = this.root.children.get(scheme)?.children.get(protocolVersion)
    const labels = this.labels
    if (labels !== undefined) {
      const values = this.values
      // Every label function runs for every request, whatever the tree holds already.
      for (let index = 0; index < values.length; index++) {
        const value = labels.value(index, request)
        values[index] = value
        node = node?.children.get(value)
      }
    }
    return node?.variant ?? this.create(scheme, protocolVersion)
  }

  /** The variant of the overflow bucket for `variant`'s connection: every label `_other`. */
  overflowOf(variant: SeriesVariant): SeriesVariant {
    if (variant.labels === undefined) return variant
    return this.overflowVariant(variant.scheme, variant.protocolVersion)
  }

  /** A combination not seen yet (its label values are in {@link values}): interned, within the bound. */
  private create(scheme: string | undefined, protocolVersion: string | undefined): SeriesVariant {
    if (this.count >= this.maxVariants) return this.overflowVariant(scheme, protocolVersion)
    let node = child(child(this.root, scheme), protocolVersion)
    for (const value of this.values) node = child(node, value)
    if (node.variant !== undefined) return node.variant
    this.count++
    node.variant = {
      id: this.count + this.overflowVariants.size,
      scheme,
      protocolVersion,
      labels: this.labels === undefined ? undefined : labelRecord(this.labels.names, this.values),
    }
    return node.variant
  }

  private overflowVariant(
    scheme: string | undefined,
    protocolVersion: string | undefined,
  ): SeriesVariant {
    const key = `${scheme}\u0001${protocolVersion}`
    let variant = this.overflowVariants.get(key)
    if (variant === undefined) {
      const names = this.labels?.names ?? []
      variant = {
        id: this.count + this.overflowVariants.size + 1,
        scheme,
        protocolVersion,
        labels:
          this.labels === undefined
            ? undefined
            : labelRecord(
                names,
                names.map(() => LABEL_OTHER),
              ),
      }
      this.overflowVariants.set(key, variant)
    }
    return variant
  }
}

function child(node: VariantNode, key: string | undefined): VariantNode {
  let next = node.children.get(key)
  if (next === undefined) {
    next = new VariantNode()
    node.children.set(key, next)
  }
  return next
}

function labelRecord(
  names: readonly string[],
  values: readonly string[],
): Readonly<Record<string, string>> {
  const record: Record<string, string> = {}
  names.forEach((name, index) => {
    record[name] = values[index] as string
  })
  return Object.freeze(record)
}

/** Node's request behind a response (`res.req`, HTTP/1 and HTTP/2 alike). */
export function rawRequestOf(res: RawResponse | undefined): RawRequestLike | undefined {
  return (res as ServerResponse | undefined)?.req as RawRequestLike | undefined
}

/**
 * `https` when the connection Node accepted is TLS, else `http`: read from the connection, never
 * from the request. HTTP/2's `:scheme` pseudo-header (`req.scheme`) is whatever the client
 * wrote — `https` over cleartext h2c, or any word, each of which would be a new series.
 * `undefined` when not known: no request, or an HTTP/2 stream whose session is gone.
 */
export function schemeOf(raw: RawRequestLike | undefined): 'http' | 'https' | undefined {
  if (raw === undefined) return undefined
  const stream = raw.stream
  if (stream !== undefined && stream !== null) {
    const encrypted = stream.session?.encrypted
    if (encrypted === undefined) return undefined
    return encrypted ? 'https' : 'http'
  }
  return raw.socket?.encrypted === true ? 'https' : 'http'
}

/** OpenTelemetry spells HTTP/2 as `2`, where Node says `2.0`. */
function protocolVersionOf(raw: RawRequestLike | undefined): string | undefined {
  const version = raw?.httpVersion
  if (version === undefined) return undefined
  return version === '2.0' ? '2' : version
}
