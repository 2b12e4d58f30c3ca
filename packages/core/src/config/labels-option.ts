import type { CustomNaming } from './custom-naming'
import { RoutemeterOptionError } from './errors'
import type { NamingStyle, RequestLabels, Tags } from './option-types'
import { sanitizeTagKey } from './sanitize'

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
