import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type ExpressRequest,
  isRouter,
  type LayerHandle,
  type LayerLike,
  type NextFunction,
  type RouterLike,
  routerOf,
} from './express-internals'
import { mountTemplateOf, routePathOf } from './layer-path'
import { trackerOf } from './request-slot'

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
 *
 * Sub-applications (`app.use('/v2', express())`) are the exception: Express mounts them behind a
 * closure of its own (`mounted_app`) that keeps no reference to the sub-app, so its router cannot
 * be found from the mount layer. Once a hooked router holds such a mount, the layer class's own
 * method is wrapped too (once per copy of Express): a layer not hooked yet, run for a measured
 * request, is looked for in the router of the app the request is in (`req.app`, the sub-app
 * once Express has entered it), which is then hooked before that layer runs. Requests that are
 * not measured, and layers already looked at, pass straight through.
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
  /** A sub-application's mount: the function Express mounts it with. */
  readonly subApp: boolean
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
/** On the layer-class wrapper: the method it wraps. */
const kOriginal = Symbol('routemeter.original')
/** What Express names the function it mounts a sub-application with (Express 4 and 5). */
const SUB_APP_MOUNT = 'mounted_app'
/** On a router: how many stack entries have been looked at, to pick up layers added later. */
const kSeen = Symbol('routemeter.seen')

type Hooked = LayerLike & { [kLayerInfo]?: LayerInfo | null }
type HandleMethod = 'handleRequest' | 'handle_request'
type ClassWrapper = LayerHandle & { [kOriginal]: LayerHandle }
type Seen = RouterLike & { [kSeen]?: number }

function enterLayer(
  this: Hooked,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
): unknown {
  const info = this[kLayerInfo] as LayerInfo
  const visitor = trackerOf(req)
  if (!(visitor instanceof LayerVisitor)) return info.original.call(this, req, res, next)
  const result = info.original.call(this, req, res, visitor.enterLayer(info, next))
  if (info.subApp) hookSubAppOf(req)
  return result
}

/**
 * Express enters a sub-app synchronously, so `req.app` is the sub-app here unless it already
 * passed the request back. One built with another copy of Express (another major, a library's
 * own) runs layers of a class the wrapper below does not see: its router is hooked now, and its
 * layer class wrapped, for the requests that follow. The first request such a sub-app answers
 * without waiting keeps the mount path as its label.
 */
function hookSubAppOf(req: ExpressRequest): void {
  const router = routerOf(req.app)
  if (router === undefined || (router as Seen)[kSeen] !== undefined) return
  hookRouter(router)
  const first = router.stack[0]
  if (first !== undefined) wrapLayerClass(first, handleMethodOf(first))
}

/** A route object (`layer.route`, what Express puts in `req.route`) → its layer's info. */
const routeLayers = new WeakMap<object, LayerInfo>()

/**
 * The info of the layer holding `route`, a route object Express matched (`req.route`), if that
 * layer is hooked.
 */
export function routeLayerInfoOf(route: unknown): LayerInfo | undefined {
  return typeof route === 'object' && route !== null ? routeLayers.get(route) : undefined
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
  const method = handleMethodOf(layer)
  const found = layer[method]
  const original = typeof found === 'function' ? unwrapped(found) : undefined
  const info = original === undefined ? undefined : describe(owner, layer, original)
  layer[kLayerInfo] = info ?? null
  // A sub-app mounted at `/` labels nothing itself, but its routes must be found all the same.
  if (layer.handle.name === SUB_APP_MOUNT) wrapLayerClass(layer, method)
  if (info === undefined) return
  Object.defineProperty(layer, method, {
    value: enterLayer,
    configurable: true,
    writable: true,
    enumerable: false,
  })
  if (info.kind === 'router') hookRouter(info.inner as RouterLike)
  else if (info.kind === 'route') {
    routeLayers.set(info.inner, info)
    markRouteStack(info.inner)
  }
}

function handleMethodOf(layer: LayerLike): HandleMethod {
  return typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request'
}

function unwrapped(method: LayerHandle): LayerHandle {
  return (method as Partial<ClassWrapper>)[kOriginal] ?? method
}

/**
 * A route's own handlers are layers of the same class; marked as looked at, so that they pass the
 * class wrapper without a lookup. Handlers added to the route later are looked up once each time.
 */
function markRouteStack(route: object): void {
  const stack = (route as { stack?: unknown }).stack
  if (!Array.isArray(stack)) return
  for (const layer of stack as Hooked[]) {
    if (layer !== null && typeof layer === 'object' && layer[kLayerInfo] === undefined) {
      layer[kLayerInfo] = null
    }
  }
}

/** Wraps the layer class's method (once per copy of Express) to find sub-applications' routers. */
function wrapLayerClass(layer: LayerLike, method: HandleMethod): void {
  const proto = Object.getPrototypeOf(layer) as Record<HandleMethod, unknown> | null
  const current = proto?.[method]
  if (proto === null || typeof current !== 'function' || kOriginal in current) return
  const original = current as LayerHandle
  const wrapper = function runLayer(this: Hooked, req, res, next) {
    return runUnhookedLayer(this, original, req, res, next)
  } as ClassWrapper
  wrapper[kOriginal] = original
  Object.defineProperty(proto, method, {
    value: wrapper,
    configurable: true,
    writable: true,
    enumerable: false,
  })
}

function runUnhookedLayer(
  layer: Hooked,
  original: LayerHandle,
  req: ExpressRequest,
  res: ServerResponse,
  next: NextFunction,
): unknown {
  if (layer[kLayerInfo] === undefined && trackerOf(req) instanceof LayerVisitor) {
    // The layer belongs to a router not hooked yet: a sub-app's (or routes added to one later).
    const router = routerOf(req.app)
    if (router !== undefined) {
      hookRouter(router)
      if (layer[kLayerInfo]) return enterLayer.call(layer, req, res, next)
    }
  }
  return original.call(layer, req, res, next)
}

function describe(
  owner: RouterLike,
  layer: LayerLike,
  original: LayerHandle,
): LayerInfo | undefined {
  if (layer.route !== undefined && layer.route !== null) {
    const template = routePathOf(layer)
    return { kind: 'route', owner, template, inner: layer.route, subApp: false, original }
  }
  const handle = layer.handle
  if (typeof handle !== 'function') return undefined
  const template = mountTemplateOf(layer)
  if (isRouter(handle)) {
    return { kind: 'router', owner, template, inner: handle, subApp: false, original }
  }
  // A function at `/` cannot change the label; an error handler (arity 4) never serves a request.
  if (template === '' || handle.length > 3) return undefined
  const subApp = handle.name === SUB_APP_MOUNT
  return { kind: 'handler', owner, template, inner: handle, subApp, original }
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
