import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  isRouter,
  type LayerHandle,
  type LayerLike,
  type NextFunction,
  type RouterLike,
} from './express-internals'
import { mountTemplateOf, routePathOf } from './layer-path'

/**
 * Records each router layer's registered path as a request enters it. Every layer that can
 * change a request's route label gets an own `handleRequest` (router 2.x, Express 5) or
 * `handle_request` (Express 4) that tells the request's tracker which layer it is entering,
 * then runs the original. `layer.handle` is left alone, so arity checks, `router.stack`
 * walkers and `listRoutes()` see the app exactly as registered.
 *
 * What a layer means is worked out once, here, and kept on the layer: its kind, the router
 * that owns it and its template. Plain middleware at `/` (the bulk of most stacks) is not
 * touched and costs nothing per request.
 */

export type LayerKind = 'route' | 'router' | 'handler'

export interface LayerInfo {
  /** `route`: a route; `router`: a mounted router; `handler`: a function mounted at a path. */
  readonly kind: LayerKind
  /** The router whose stack holds the layer. */
  readonly owner: RouterLike
  /** Route path, or the mount path (`` for `/`). */
  readonly template: string
  /** What the layer runs: the mounted router or the mounted function. */
  readonly inner: object
  readonly original: LayerHandle
}

/**
 * What the layer hooks report to: the request's tracker, which is `req.metrics` itself. A class
 * rather than an interface so the hooks can tell it from anything else found there.
 */
export abstract class LayerVisitor {
  /** Returns the `next` to pass on (wrapped when the layer's label must be undone on exit). */
  abstract enterLayer(info: LayerInfo, next: NextFunction): NextFunction
}

const kLayerInfo = Symbol('routemeter.layer')
/** On a router: how many stack entries have been looked at, to pick up layers added later. */
const kSeen = Symbol('routemeter.seen')

type Hooked = LayerLike & { [kLayerInfo]?: LayerInfo | null }
type Seen = RouterLike & { [kSeen]?: number }

function enterLayer(
  this: Hooked,
  req: IncomingMessage & { metrics?: unknown },
  res: ServerResponse,
  next: NextFunction,
): unknown {
  const info = this[kLayerInfo] as LayerInfo
  const visitor = req.metrics
  return info.original.call(
    this,
    req,
    res,
    visitor instanceof LayerVisitor ? visitor.enterLayer(info, next) : next,
  )
}

export function layerInfoOf(layer: LayerLike): LayerInfo | undefined {
  return (layer as Hooked)[kLayerInfo] ?? undefined
}

/** Hooks the layers of `router` (and of routers mounted in it) not hooked yet. Cheap when none are new. */
export function hookRouter(router: RouterLike): void {
  const seen = router as Seen
  const stack = router.stack
  const from = seen[kSeen] ?? 0
  if (from === stack.length) return
  // Marked before descending, so a router mounted inside itself is walked once.
  seen[kSeen] = stack.length
  // A stack that shrank (layers spliced out) is walked again; hooked layers are skipped.
  for (let i = from < stack.length ? from : 0; i < stack.length; i++) {
    const layer = stack[i]
    if (layer !== undefined) hookLayer(router, layer as Hooked)
  }
}

function hookLayer(owner: RouterLike, layer: Hooked): void {
  if (layer[kLayerInfo] !== undefined) return
  const method = typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request'
  const original = layer[method]
  const info = typeof original === 'function' ? describe(owner, layer, original) : undefined
  layer[kLayerInfo] = info ?? null
  if (info === undefined) return
  Object.defineProperty(layer, method, {
    value: enterLayer,
    configurable: true,
    writable: true,
    enumerable: false,
  })
  if (info.kind === 'router') hookRouter(info.inner as RouterLike)
}

function describe(
  owner: RouterLike,
  layer: LayerLike,
  original: LayerHandle,
): LayerInfo | undefined {
  if (layer.route !== undefined && layer.route !== null) {
    return { kind: 'route', owner, template: routePathOf(layer), inner: layer.route, original }
  }
  const handle = layer.handle
  if (typeof handle !== 'function') return undefined
  const template = mountTemplateOf(layer)
  if (isRouter(handle)) return { kind: 'router', owner, template, inner: handle, original }
  // A function at `/` cannot change the label; an error handler (arity 4) never serves a request.
  if (template === '' || handle.length > 3) return undefined
  return { kind: 'handler', owner, template, inner: handle, original }
}

/**
 * The chain of mount layers from `router` down to the router whose stack holds `target`
 * (empty when `router` holds it itself), or `undefined` when it is not mounted under `router`.
 */
export function mountChainTo(
  router: RouterLike,
  target: unknown,
  visited = new Set<RouterLike>(),
): LayerLike[] | undefined {
  if (visited.has(router)) return undefined
  visited.add(router)
  for (const layer of router.stack) {
    if (layer.handle === target) return []
    const info = layerInfoOf(layer)
    if (info?.kind === 'router') {
      const below = mountChainTo(info.inner as RouterLike, target, visited)
      if (below !== undefined) return [layer, ...below]
    }
  }
  return undefined
}
