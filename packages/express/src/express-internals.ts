import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * The parts of Express' routers this adapter reads, typed structurally so that one build works
 * with Express 4 (its own `lib/router`) and Express 5 (the `router` package) without importing
 * either. Nothing here is public API of Express; each field says which version has it.
 */

export type NextFunction = (err?: unknown) => void

export type LayerHandle = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => unknown

/** A router (`express.Router()`, `app._router` / `app.router`): a callable with a layer stack. */
export interface RouterLike {
  (req: IncomingMessage, res: ServerResponse, next: NextFunction): void
  stack: LayerLike[]
  handle: (...args: never[]) => unknown
}

/** One entry of `router.stack`: a `use()` mount or a route (`app.get(path)`, `router.route(path)`). */
export interface LayerLike {
  handle: ((...args: never[]) => unknown) & { stack?: unknown; handle?: unknown }
  /** Set on route layers; `route.path` is the path as registered (string, RegExp or array). */
  route?: { path?: unknown } | undefined
  /** router ≥ 2.3 (Express 5): the path as registered, arrays flattened. */
  rawPath?: unknown
  /** router 2.0–2.2: the registered path until the first match overwrites it with the matched text. */
  path?: unknown
  params?: unknown
  /** router 2.x: true for a `use()` at `/` (matches everything). */
  slash?: boolean
  /** Express 4: the compiled path-to-regexp 0.1 pattern and its parameter names. */
  regexp?: RegExp & { fast_slash?: boolean; fast_star?: boolean }
  keys?: ReadonlyArray<{ readonly name: string | number }>
  /** router 2.x (Express 5) calls this to run the layer. */
  handleRequest?: LayerHandle
  /** Express 4 calls this to run the layer. */
  handle_request?: LayerHandle
}

/** An Express application, as far as finding its router and mount point goes. */
export interface AppLike {
  /** Express 4 (lazily created; reading `app.router` throws there). */
  _router?: RouterLike
  /** Express 5. */
  router?: RouterLike
  /** Where a sub-application was mounted (`app.use(path, subApp)`); `/` for the main app. */
  mountpath?: unknown
  parent?: AppLike
}

/** The request as Express hands it to middleware; everything optional, nothing trusted. */
export interface ExpressRequest extends IncomingMessage {
  app?: AppLike
  originalUrl?: string
  /** The route object (`layer.route`) Express last matched, set before its param callbacks run. */
  route?: object
}

export function isRouter(value: unknown): value is RouterLike {
  return (
    typeof value === 'function' &&
    Array.isArray((value as { stack?: unknown }).stack) &&
    typeof (value as { handle?: unknown }).handle === 'function'
  )
}

/** The app's root router: `app._router` in Express 4 (whose `app.router` getter throws), else `app.router`. */
export function routerOf(app: AppLike | undefined): RouterLike | undefined {
  if (app === undefined || app === null) return undefined
  const legacy = app._router
  if (isRouter(legacy)) return legacy
  try {
    const router = app.router
    return isRouter(router) ? router : undefined
  } catch {
    return undefined
  }
}
