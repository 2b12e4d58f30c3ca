/** Every StatsD wire separator, and a space. */
export const SEPARATORS = ['\n', '\r', '|', ':', '#', ',', '@', '=', ';', ' ']

/** One of each separator and some unicode, in every position that matters. */
export const HOSTILE = [
  'orders\nsummary',
  'a\r\nb',
  'x:1|c\nevil:2|c',
  'x|c|@0.5|#evil:1',
  'tenant:acme#1',
  'k=v,evil=1',
  'graphite;tag=x',
  'at@home',
  'with space',
  'ünïcødé 漢字 😀',
  SEPARATORS.join(''),
]

/** 1 MB of separators and unicode. */
export const HUGE = `${SEPARATORS.join('')}é漢😀`
  .repeat(Math.ceil((1024 * 1024) / 16))
  .slice(0, 1024 * 1024)

/** `text` as a RegExp source that matches it literally. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** 12 KB of separators and unicode: about the longest label a RegExp route can carry (below). */
const LONG_REGEXP_LABEL = `${SEPARATORS.join('')}é漢😀`.repeat(1024).slice(0, 12 * 1024)

/**
 * Routes for frameworks whose routes may be RegExps (labelled with the RegExp's text): every
 * hostile string, and a 12 KB label, in alternatives the requests `/re/one` and `/re/long` do not
 * need to match (such frameworks match the raw, percent-encoded path, so spaces, unicode and line
 * breaks can only live there). V8 refuses RegExps much over 16 KB of source, so 12 KB is about the
 * longest label such an app can have; 1 MB strings reach the app through paths, headers and
 * bodies instead.
 */
export const HOSTILE_REGEXP_ROUTES: readonly RegExp[] = [
  new RegExp(`^/re/one(?:${HOSTILE.map(escapeRegExp).join('|')})?$`),
  new RegExp(`^/re/long(?:${escapeRegExp(LONG_REGEXP_LABEL)})?$`),
]

/** A mount point with separators in it, for the factories' nested hostile route. */
export const HOSTILE_MOUNT = '/mount@x=y;z'
