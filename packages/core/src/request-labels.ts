import { RoutemeterOptionError } from './errors'
import { errorText, type FaultLog } from './fault-log'
import type { CustomNaming } from './naming'
import type { LabelFunction, NamingStyle, RequestLabels, Tags } from './options'
import { MAX_TAG_VALUE_LENGTH, sanitizeTagKey } from './sanitize'

/** Recorded when a label function returns `undefined` or `''`: every series keeps the label's tag. */
export const LABEL_NONE = '_none'
/** Recorded when a label function throws or returns something other than a string. */
export const LABEL_ERROR = '_error'
/** Recorded for values beyond `maxLabelValues`, and for every label in the overflow bucket. */
export const LABEL_OTHER = '_other'

/** The request tags of the tag style, which a label may not replace. */
const REQUEST_TAGS = new Set(['route', 'method', 'status_code', 'status_class'])
/**
 * OpenTelemetry naming's attribute keys (`http.route`, …) cannot be label names (no dots), but
 * a wire format that turns dots into `_` would make these collide with them.
 */
const OTEL_ATTRIBUTES = new Set([
  'http_route',
  'http_request_method',
  'http_response_status_code',
  'url_scheme',
  'network_protocol_version',
  'error_type',
])
const LABEL_NAME = /^[a-z][a-z0-9_]{0,63}$/
/** More labels than this would not fit a datagram beside the request tags. */
const MAX_LABELS = 10

/**
 * Where the settings a label may conflict with came from (` (from STATSD_NAMING)`, or `''` for an
 * option), so that the start-up error names the variable the user has to change.
 */
export interface LabelConflictSources {
  readonly naming: string
  globalTag(key: string): string
}

const NO_SOURCES: LabelConflictSources = { naming: '', globalTag: () => '' }

/**
 * Validates the `labels` option at start-up: an object of functions, named as tag keys that
 * cannot collide with the request tags or the global tags, in a naming style with tags.
 */
export function readLabels(
  value: unknown,
  naming: NamingStyle | CustomNaming,
  globalTags: Tags,
  sources: LabelConflictSources = NO_SOURCES,
): RequestLabels | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RoutemeterOptionError(
      'labels',
      value,
      'an object of label names to functions (request) => string | undefined',
    )
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return undefined
  if (naming === 'path') {
    throw new RoutemeterOptionError(
      'labels',
      value,
      `no labels with naming "path"${sources.naming}: dotted names have no tags to put them in (use naming "tags" or custom naming)`,
    )
  }
  if (entries.length > MAX_LABELS) {
    throw new RoutemeterOptionError('labels', value, `at most ${MAX_LABELS} labels`)
  }
  // Compared as they go on the wire; the key as given, to say where it came from.
  const globalKeys = new Map(Object.keys(globalTags).map((key) => [sanitizeTagKey(key), key]))
  for (const [name, fn] of entries) {
    if (!LABEL_NAME.test(name)) {
      throw new RoutemeterOptionError(
        'labels',
        name,
        'label names of lower-case letters, digits and _, starting with a letter, at most 64 characters',
      )
    }
    if (REQUEST_TAGS.has(name)) {
      throw new RoutemeterOptionError(
        `labels.${name}`,
        name,
        `a name other than the request tags (${[...REQUEST_TAGS].join(', ')})`,
      )
    }
    if (OTEL_ATTRIBUTES.has(name)) {
      throw new RoutemeterOptionError(
        `labels.${name}`,
        name,
        'a name other than an OpenTelemetry attribute key with its dots as _',
      )
    }
    const globalKey = globalKeys.get(name)
    if (globalKey !== undefined) {
      throw new RoutemeterOptionError(
        `labels.${name}`,
        name,
        `a name other than a globalTags key (the label would replace the global tag "${globalKey}"${sources.globalTag(globalKey)})`,
      )
    }
    if (typeof fn !== 'function') {
      throw new RoutemeterOptionError(
        `labels.${name}`,
        fn,
        'a function (request) => string | undefined',
      )
    }
  }
  return Object.freeze({ ...(value as RequestLabels) })
}

/** Reads the label values of one finished request, one label at a time; built from `labels`. */
export interface LabelReader {
  /** The label names, in the order {@link value} takes them. */
  readonly names: readonly string[]
  /**
   * The value label `index` records for `request` (the framework's request object): the same
   * string object for the same value, `_other` beyond the cap, `_none` / `_error` as documented.
   */
  value(index: number, request: unknown): string
  /** Values recorded as `_other` because their label was at its cap. */
  readonly overflowed: number
}

/**
 * The `labels` option at run time. Each label keeps the distinct values it has seen, up to
 * `maxLabelValues` (values cut to the longest tag value first, so memory is bounded too); a
 * function that throws or returns no string never reaches the request.
 */
export class RequestLabelReader implements LabelReader {
  readonly names: readonly string[]
  overflowed = 0
  private readonly functions: readonly LabelFunction[]
  private readonly seen: ReadonlyArray<Set<string>>

  constructor(
    labels: RequestLabels,
    private readonly maxValues: number,
    private readonly faults: FaultLog,
  ) {
    this.names = Object.keys(labels)
    this.functions = this.names.map((name) => labels[name] as LabelFunction)
    this.seen = this.names.map(() => new Set<string>())
  }

  value(index: number, request: unknown): string {
    let raw: unknown
    try {
      raw = (this.functions[index] as LabelFunction)(request)
    } catch (error) {
      this.fault(index, `threw: ${errorText(error)}`)
      return LABEL_ERROR
    }
    if (typeof raw !== 'string') {
      if (raw === undefined) return LABEL_NONE
      return this.notAString(index, raw)
    }
    if (raw === '') return LABEL_NONE
    const value = raw.length > MAX_TAG_VALUE_LENGTH ? raw.slice(0, MAX_TAG_VALUE_LENGTH) : raw
    const seen = this.seen[index] as Set<string>
    if (seen.has(value)) return value
    if (seen.size >= this.maxValues) {
      this.overflowed++
      this.faults.report(
        'label-cap',
        `label "${this.names[index]}" has ${this.maxValues} distinct values (maxLabelValues); further values are recorded as ${LABEL_OTHER}`,
      )
      return LABEL_OTHER
    }
    seen.add(value)
    return value
  }

  private notAString(index: number, raw: unknown): string {
    const thenable = raw as { then?: unknown } | null
    if (typeof thenable === 'object' && thenable !== null && typeof thenable.then === 'function') {
      // Never awaited; a rejection must not become the app's unhandled rejection.
      ;(raw as PromiseLike<unknown>).then(undefined, ignore)
      this.fault(index, 'returned a Promise; label functions must return a string synchronously')
    } else {
      this.fault(index, `returned ${raw === null ? 'null' : typeof raw}, not a string`)
    }
    return LABEL_ERROR
  }

  private fault(index: number, what: string): void {
    this.faults.report(
      'label',
      `label "${this.names[index]}" ${what}; recorded as ${LABEL_ERROR}, the request is unaffected`,
    )
  }
}

function ignore(): void {}
