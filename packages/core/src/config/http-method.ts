/**
 * Methods outside the known set are recorded as `_OTHER` (the OpenTelemetry rule), so a
 * client sending `FOO /` cannot mint new series.
 */
export const OTHER_METHOD = '_OTHER'

export const STANDARD_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const

/** Most methods `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` may list: indices then fit in 8 bits. */
export const MAX_KNOWN_METHODS = 255

/**
 * The methods a meter records by name, everything else being `_OTHER`. A method's index goes
 * into a series key (`status * stride + index`); `stride` is the smallest power of two above the
 * list's length, 16 for the standard list, so the default key is what it always was.
 */
export class KnownMethods {
  /** Room for every index, `_OTHER` (the last one) included. */
  readonly stride: number
  private readonly indices: Map<string, number>
  private readonly other: number

  constructor(
    private readonly names: readonly string[],
    /**
     * OpenTelemetry compares methods exactly (`get` is `_OTHER`); the tag and path styles have
     * always taken `get` as `GET`.
     */
    private readonly caseSensitive: boolean,
  ) {
    this.indices = new Map(names.map((method, index) => [method, index]))
    this.other = names.length
    let stride = 16
    while (stride <= names.length) stride *= 2
    this.stride = stride
  }

  /** Index of a request method in {@link name}; unknown methods map to `_OTHER`'s. */
  index(method: string): number {
    const found = this.indices.get(method)
    if (found !== undefined) return found
    if (this.caseSensitive) return this.other
    return this.indices.get(method.toUpperCase()) ?? this.other
  }

  name(index: number): string {
    return this.names[index] ?? OTHER_METHOD
  }
}

/** The standard methods, any case: the tag and path styles. */
export const DEFAULT_METHODS = new KnownMethods(STANDARD_METHODS, false)

// An HTTP token (RFC 9110): what a method name may be made of.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * The known-method list of `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`: comma-separated, compared
 * case-sensitively, blanks around names ignored. Returns the problem as text for the option
 * error, or the list.
 */
export function parseKnownMethods(text: string): readonly string[] | string {
  const names: string[] = []
  for (const part of text.split(',')) {
    const name = part.trim()
    if (name === '') continue
    if (!TOKEN.test(name)) return `"${name.slice(0, 40)}" is not an HTTP method token`
    if (!names.includes(name)) names.push(name)
  }
  if (names.length === 0) return 'no method is listed'
  if (names.length > MAX_KNOWN_METHODS) return `more than ${MAX_KNOWN_METHODS} methods are listed`
  return names
}
