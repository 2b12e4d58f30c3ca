/**
 * The dotted-path style puts the route template into the metric name, so the template is
 * mapped to Graphite path segments made only of `[A-Za-z0-9_-]`. The mapping is fixed and
 * documented:
 *
 * - `/` (the root) becomes `_root`; requests no route matched become `_unmatched`;
 * - the template is split on `/`, empty pieces are dropped, pieces are joined with `.`;
 * - inside a piece every character outside `[A-Za-z0-9_-]` becomes `_`, so `:id` → `_id`,
 *   `*` → `_`, `*splat` → `_splat`, `file.json` → `file_json`.
 *
 * Example: `/api/v1/users/:id` → `api.v1.users._id`.
 */
export const ROOT_SEGMENT = '_root'
export const UNMATCHED_SEGMENT = '_unmatched'
export const OVERFLOW_SEGMENT = '_overflow'

const SEGMENT_INVALID = /[^A-Za-z0-9_-]/g
const MAX_SEGMENTS_LENGTH = 200

export function routeToPathSegments(route: string): string {
  const pieces = String(route)
    .slice(0, MAX_SEGMENTS_LENGTH * 2)
    .split('/')
  const segments: string[] = []
  for (const piece of pieces) {
    if (piece !== '') segments.push(piece.replace(SEGMENT_INVALID, '_'))
  }
  if (segments.length === 0) return ROOT_SEGMENT
  const joined = segments.join('.').slice(0, MAX_SEGMENTS_LENGTH)
  return joined.endsWith('.') ? joined.slice(0, -1) : joined
}
