import { createRequire } from 'node:module'
import { installTimersProperty } from '@routemeter/core/adapter'

/**
 * Koa runs middleware in the order it was added: mounted after a router, routemeter never sees
 * the requests the router answers, and their `ctx.metrics` is undefined. So `ctx.metrics` is an
 * accessor on Koa's base context — the prototype of every app's context — with no-op timers
 * where routemeter set none (through core), installed when the first middleware is created for
 * the Koa this package resolves, and on the first request of an app built with another copy.
 * The mount order is checked two ways, each reported once per meter:
 *
 * - on an app's first request routemeter sees: routers' middleware (`router.routes()`, which
 *   carries its router) added before routemeter;
 * - when a handler reads `ctx.metrics` of a request routemeter never saw.
 */

/** What the checks need of a middleware instance. */
export interface MountOrderSubject {
  readonly middleware: object
  reportMisordered(answeredBy: string): void
}

/** The parts of a Koa context and app read here. */
interface KoaAppLike {
  readonly middleware?: readonly unknown[]
}

const subjects = new WeakMap<object, MountOrderSubject>()
const appsChecked = new WeakSet<object>()
let resolvedKoaChecked = false

export function watchMountOrder(subject: MountOrderSubject): void {
  subjects.set(subject.middleware, subject)
  if (resolvedKoaChecked) return
  resolvedKoaChecked = true
  try {
    // The Koa the app resolves too (a peer dependency): its base context, before any request.
    const base: unknown = createRequire(import.meta.url)('koa/lib/context')
    if (typeof base === 'object' && base !== null) install(base)
  } catch {
    // Not resolvable from here (another layout): installed on the first request instead.
  }
}

/** On an app's first request routemeter sees. */
export function checkApp(
  ctx: object,
  app: KoaAppLike | undefined,
  subject: MountOrderSubject,
): void {
  // ctx → app.context → Koa's base context.
  const base = Object.getPrototypeOf(Object.getPrototypeOf(ctx)) as object | null
  if (base !== null && base !== Object.prototype) install(base)
  const middleware = app?.middleware
  if (!Array.isArray(middleware)) return
  const routers = middleware
    .slice(0, Math.max(0, middleware.indexOf(subject.middleware)))
    .filter((fn) => typeof fn === 'function' && 'router' in fn).length
  if (routers > 0) {
    subject.reportMisordered(
      `${routers === 1 ? "a router's" : `${routers} routers'`} routes (app.use(router.routes()) comes before it)`,
    )
  }
}

function install(base: object): void {
  installTimersProperty(base, 'metrics', reportUnseenRequest)
}

function reportUnseenRequest(target: object): void {
  const app = (target as { app?: KoaAppLike }).app
  if (app === undefined || appsChecked.has(app)) return
  appsChecked.add(app)
  for (const fn of app.middleware ?? []) {
    const subject = typeof fn === 'function' ? subjects.get(fn) : undefined
    if (subject === undefined) continue
    subject.reportMisordered(
      'the middleware or router that answered a request without passing it on (its handler read ctx.metrics)',
    )
    return
  }
}
