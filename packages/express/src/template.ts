/**
 * Route templates as labels. A layer's registered path is turned into text once, when the layer
 * is first seen, by fixed rules, so one route always yields the same label and a label never
 * holds a value from a URL:
 *
 * - a string is kept as written (`/users/:id`, `/files/*splat`, `/users{/:id}`);
 * - a RegExp is written as its literal, flags included (`/^\/v\d+$/i`);
 * - an array is its elements, flattened and rendered by these rules, joined with `,`
 *   (`['/a', '/b/:id']` → `/a,/b/:id`, the OpenTelemetry convention).
 *
 * The full label of a route is the concatenation of the mount paths of the routers it sits in
 * and its own path (`/api/:version` + `/users/:id` → `/api/:version/users/:id`).
 */

export function renderPath(path: unknown): string {
  if (typeof path === 'string') return path
  if (path instanceof RegExp) return String(path)
  if (Array.isArray(path)) {
    return (path.flat(Number.POSITIVE_INFINITY) as unknown[]).map(renderPath).join(',')
  }
  return String(path)
}

/**
 * A `use()` mount path as a template prefix. The router ignores trailing slashes of mount paths,
 * so they are dropped (`/api/` → `/api`, `/` → ``); RegExps are kept whole.
 */
export function renderMountPath(path: unknown): string {
  if (typeof path === 'string') return withoutTrailingSlash(path)
  if (Array.isArray(path)) {
    return (path.flat(Number.POSITIVE_INFINITY) as unknown[])
      .map((item) => (typeof item === 'string' ? withoutTrailingSlash(item) : renderPath(item)))
      .join(',')
  }
  return renderPath(path)
}

/**
 * Appends a mount path or route path to a prefix. Prefixes are mount paths, which never end in
 * `/` unless they are a RegExp literal (`/^\/v\d+/`), whose closing slash must stay; so parts are
 * simply appended, except that a route at `/` adds nothing under a mount.
 */
export function joinTemplate(prefix: string, part: string): string {
  if (part === '' || (part === '/' && prefix !== '')) return prefix
  return prefix + part
}

/** The label of a route under a prefix; never empty (a route at the very root is `/`). */
export function routeTemplate(prefix: string, routePath: string): string {
  const template = joinTemplate(prefix, routePath)
  return template === '' ? '/' : template
}

function withoutTrailingSlash(path: string): string {
  let end = path.length
  while (end > 0 && path.charCodeAt(end - 1) === 47 /* '/' */) end--
  return end === path.length ? path : path.slice(0, end)
}
