/**
 * Sanitising happens once, where text becomes wire format. Every name, tag key and tag value
 * is reduced to a small allow-list of characters, and every set member written with one (set
 * members are escaped, not reduced, so distinct members stay distinct), so no input can add a
 * line (`\n`), a field (`|`, `:`), a tag (`,`, `#`, `=`) or break a Graphite tag (`;`).
 *
 * Results are ASCII, so a string's length is its byte length on the wire.
 */

import { createHash } from 'node:crypto'

/** Longest metric name kept; longer names are cut (documented limit). */
export const MAX_NAME_LENGTH = 200
/** Longest tag key kept. */
export const MAX_TAG_KEY_LENGTH = 64
/** Longest tag value kept, longer ones are cut; the longest set member sent as is (documented limit). */
export const MAX_TAG_VALUE_LENGTH = 200

export type TagFormat = 'dogstatsd' | 'telegraf'

const NAME_INVALID = /[^A-Za-z0-9_.-]/g
const DOTS = /\.{2,}/g
const EDGE_DOTS = /^\.+|\.+$/g
const TAG_KEY_INVALID = /[^a-z0-9_.]/g
// DogStatsD and the Etsy daemon read tags after `|#`, split on `,`; `:` only splits key from
// value there, so it may stay in values (route templates like `/users/:id` read naturally).
const DOGSTATSD_VALUE_INVALID = /[^A-Za-z0-9_./:-]/g
// Telegraf puts tags in the name part (`name,k=v:1|c`) and has no escaping: `:` would end the
// name, so it goes too.
const TELEGRAF_VALUE_INVALID = /[^A-Za-z0-9_./-]/g
const SET_MEMBER_INVALID = /[^A-Za-z0-9_./-]/g

/** A metric name: `[A-Za-z0-9_.-]`, no empty path segments, never empty. */
export function sanitizeName(raw: string): string {
  const name = String(raw)
    .slice(0, MAX_NAME_LENGTH * 2)
    .replace(NAME_INVALID, '_')
    .replace(DOTS, '.')
    .replace(EDGE_DOTS, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(EDGE_DOTS, '')
  if (name === '') return '_'
  // The Etsy daemon keeps metrics in plain objects: a key such as `constructor` or `__proto__`
  // crashes it (verified with statsd 0.9). Such a bare name gets a trailing `_`.
  return name in Object.prototype ? `${name}_` : name
}

/**
 * A tag key: lower-case `[a-z0-9_.]`, dots only between other characters (OpenTelemetry's
 * `http.route`), not starting with a digit (Prometheus label rule), at most
 * {@link MAX_TAG_KEY_LENGTH} characters on the wire: cut again after lower-casing, which can
 * lengthen a string (`İ` becomes two characters).
 *
 * Both tag formats take dots in keys as they are: DogStatsD (Datadog's tag rules allow `.`, the
 * Etsy daemon keeps them) and Telegraf (InfluxDB tag keys). Prometheus' statsd_exporter, which
 * allows no dot in a label name, turns each into `_` itself (`http_route`).
 */
export function sanitizeTagKey(raw: string): string {
  let key = String(raw)
    .slice(0, MAX_TAG_KEY_LENGTH)
    .toLowerCase()
    .replace(TAG_KEY_INVALID, '_')
    .replace(DOTS, '.')
    .replace(EDGE_DOTS, '')
  if (key === '') return '_'
  const first = key.charCodeAt(0)
  if (first >= 48 && first <= 57) key = `_${key}`
  // Cutting may leave a dot at the end; the start is never a dot here.
  return key.slice(0, MAX_TAG_KEY_LENGTH).replace(EDGE_DOTS, '')
}

/** A tag value for the given wire format, cut to {@link MAX_TAG_VALUE_LENGTH}. */
export function sanitizeTagValue(raw: string | number, format: TagFormat): string {
  const invalid = format === 'telegraf' ? TELEGRAF_VALUE_INVALID : DOGSTATSD_VALUE_INVALID
  const value = String(raw).slice(0, MAX_TAG_VALUE_LENGTH).replace(invalid, '_')
  return value === '' ? '_' : value
}

const SET_MEMBER_PLAIN = /^[A-Za-z0-9_./-]+$/

function escapeCodeUnit(char: string): string {
  return `%${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * A set member as it goes on the wire, where `:`, `|` and newlines are separators. Unlike names
 * and tags, a member is never cut or reduced, because two distinct members must stay distinct
 * (a set counts them):
 *
 * - `[A-Za-z0-9_./-]`, up to 200 characters: as is;
 * - anything else that fits in 200 characters escaped: `%` then each character outside that set
 *   as `%` + four hex digits of its UTF-16 code unit (`a b` → `%a%0020b`; the empty string → `%`);
 * - longer: `~` + the base64url SHA-256 of its UTF-16 text (44 characters).
 *
 * The three forms cannot meet (only escaped ones contain `%`, only hashed ones `~`), and each is
 * one-to-one up to SHA-256 collisions.
 */
export function sanitizeSetMember(raw: string | number): string {
  const member = String(raw)
  if (member.length <= MAX_TAG_VALUE_LENGTH && SET_MEMBER_PLAIN.test(member)) return member
  if (member.length <= MAX_TAG_VALUE_LENGTH) {
    const escaped = `%${member.replace(SET_MEMBER_INVALID, escapeCodeUnit)}`
    if (escaped.length <= MAX_TAG_VALUE_LENGTH) return escaped
  }
  return `~${createHash('sha256').update(member, 'utf16le').digest('base64url')}`
}
