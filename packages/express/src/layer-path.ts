import type { LayerLike } from './express-internals'
import { express4MountPaths } from './express4-mount-path'
import { renderMountPath, renderPath } from './template'

/** Label for a mount whose registered path cannot be recovered (see {@link mountTemplateOf}). */
export const UNKNOWN_MOUNT = '/(unknown-mount)'

/** The template of a route layer: its path exactly as registered. */
export function routePathOf(layer: LayerLike): string {
  return renderPath(layer.route?.path)
}

/**
 * The template prefix a `use()` layer adds (`` for `/`). Where the path lives differs by router:
 *
 * - router ≥ 2.3 (Express 5): `layer.rawPath`, the path as registered;
 * - router 2.0–2.2: `layer.path` holds the registered path only until the layer first matches
 *   (then the matched text); layers are described before the requests they serve reach them,
 *   and one already matched is labelled {@link UNKNOWN_MOUNT} rather than with a URL value;
 * - Express 4: only the compiled RegExp, read back by {@link express4MountPaths}; a RegExp the
 *   app registered itself is rendered as its literal.
 */
export function mountTemplateOf(layer: LayerLike): string {
  if ('rawPath' in layer) return renderMountPath(layer.rawPath)
  const regexp = layer.regexp
  if (regexp instanceof RegExp) {
    if (regexp.fast_slash === true) return ''
    if (regexp.fast_star === true) return '*'
    const paths = express4MountPaths(regexp, layer.keys ?? [])
    return paths === undefined ? renderPath(regexp) : renderMountPath(paths)
  }
  if (layer.slash === true) return ''
  if (layer.params === undefined && layer.path !== undefined) return renderMountPath(layer.path)
  return UNKNOWN_MOUNT
}
