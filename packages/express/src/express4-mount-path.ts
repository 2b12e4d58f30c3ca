/**
 * Express 4 keeps no copy of a `use()` layer's path: only the RegExp path-to-regexp 0.1 compiled
 * from it and the parameter names. Route layers are fine (`layer.route.path`), but a mount such
 * as `app.use('/tenants/:tenant', router)` must be read back from its RegExp to get a template
 * rather than the matched text in `req.baseUrl`.
 *
 * path-to-regexp 0.1 compiles a mount path (`end: false`, `strict: false`) to
 * `^` + body + `\/?(?=\/|$)`, an array to such sources joined with `|` (0.1.7, in Express 4.18, wraps that
 * in one more `(?:` … `)`). In the body, `/` and `.`
 * are escaped, `*` is `(.*)`, and a parameter `:name` with its optional custom pattern, `*` and
 * `?` is `(?:` [`\.`] [`\/`] `(`pattern`)` [star group] `)` [`?`]. This module reads exactly those
 * forms back and returns `undefined` for anything else (a RegExp the app registered itself),
 * which the caller then renders as a RegExp literal.
 */

const SUFFIX = '\\/?(?=\\/|$)'
const ARRAY_JOIN = `${SUFFIX}|^`
const ARRAY_GROUP_START = '(?:^'
const ARRAY_GROUP_END = `${SUFFIX})`
/** Patterns path-to-regexp writes for a parameter without a custom pattern. */
const DEFAULT_PATTERNS = new Set(['[^/]+?', '[^\\/]+?', '[^/\\.]+?', '[^\\/\\.]+?'])
const BACKTRACK_PATTERN = /^\(\?:\(\?!\\\/\|.*\)\.\)\+\?$/
const SPECIAL = new Set(['(', ')', '[', ']', '{', '}', '?', '+', '*', '|', '^', '$'])

type Keys = ReadonlyArray<{ readonly name: string | number }>

/** The registered mount paths (one per array element), or `undefined` when not recognised. */
export function express4MountPaths(regexp: RegExp, keys: Keys): string[] | undefined {
  let source = regexp.source
  // path-to-regexp 0.1.7 (Express 4.18) wraps an array's sources in one more group; later 0.1.x
  // join them bare.
  if (source.startsWith(ARRAY_GROUP_START) && source.endsWith(ARRAY_GROUP_END)) {
    source = source.slice(ARRAY_GROUP_START.length - 1, source.length - 1)
  }
  if (!source.startsWith('^') || !source.endsWith(SUFFIX)) return undefined
  const bodies = source.slice(1, source.length - SUFFIX.length).split(ARRAY_JOIN)
  const reader = new BodyReader(keys)
  const paths: string[] = []
  for (const body of bodies) {
    const path = reader.read(body)
    if (path === undefined) return undefined
    paths.push(path)
  }
  return reader.usedAllKeys() ? paths : undefined
}

class BodyReader {
  private key = 0

  constructor(private readonly keys: Keys) {}

  usedAllKeys(): boolean {
    return this.key === this.keys.length
  }

  read(body: string): string | undefined {
    let path = ''
    let i = 0
    while (i < body.length) {
      const char = body.charAt(i)
      if (char === '\\') {
        if (i + 1 >= body.length) return undefined
        path += body.charAt(i + 1)
        i += 2
      } else if (body.startsWith('(.*)', i)) {
        if (this.nextKey() === undefined) return undefined
        path += '*'
        i += 4
      } else if (body.startsWith('(?:', i)) {
        const end = closingParen(body, i)
        if (end === -1) return undefined
        const optional = body.charAt(end + 1) === '?'
        const param = this.readParam(body.slice(i + 3, end), optional)
        if (param === undefined) return undefined
        path += param
        i = end + (optional ? 2 : 1)
      } else if (SPECIAL.has(char)) {
        return undefined
      } else {
        path += char
        i++
      }
    }
    return path
  }

  /** `[\.][\/](pattern)[((?:[\/…].+?)?)]`, the inside of one parameter group. */
  private readParam(inner: string, optional: boolean): string | undefined {
    let i = 0
    let lead = ''
    if (inner.startsWith('\\.', i)) {
      lead += '.'
      i += 2
    }
    if (inner.startsWith('\\/', i)) {
      lead += '/'
      i += 2
    }
    if (inner.charAt(i) !== '(') return undefined
    const captureEnd = closingParen(inner, i)
    if (captureEnd === -1) return undefined
    const pattern = inner.slice(i + 1, captureEnd)
    i = captureEnd + 1
    let star = false
    if (inner.startsWith('((?:[', i)) {
      const starEnd = closingParen(inner, i)
      if (starEnd !== inner.length - 1) return undefined
      star = true
      i = starEnd + 1
    }
    if (i !== inner.length) return undefined
    const name = this.nextKey()
    if (name === undefined || (star && this.nextKey() === undefined)) return undefined
    const custom =
      DEFAULT_PATTERNS.has(pattern) || BACKTRACK_PATTERN.test(pattern) ? '' : `(${pattern})`
    return `${lead}:${name}${custom}${star ? '*' : ''}${optional ? '?' : ''}`
  }

  private nextKey(): string | number | undefined {
    const key = this.keys[this.key]
    if (key === undefined) return undefined
    this.key++
    return key.name
  }
}

/** Index of the `)` closing the group opened at `open`, skipping escapes and classes; -1 if none. */
function closingParen(text: string, open: number): number {
  let depth = 0
  let inClass = false
  for (let i = open; i < text.length; i++) {
    const char = text.charAt(i)
    if (char === '\\') {
      i++
    } else if (inClass) {
      if (char === ']') inClass = false
    } else if (char === '[') {
      inClass = true
    } else if (char === '(') {
      depth++
    } else if (char === ')') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}
