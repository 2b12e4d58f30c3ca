import { IncomingMessage } from 'node:http'
import type { ExecutionTimers } from '@routemeter/core'
import { installTimersProperty, NO_EXECUTION_TIMERS } from '@routemeter/core/adapter'
import { isRouter, type LayerLike, type RouterLike, routerOf } from './express-internals'
import { mountTemplateOf, routePathOf } from './layer-path'
import { trackerOf } from './request-slot'
import { RequestTracker } from './request-tracker'

/**
 * A middleware mounted after the routes never sees the requests they answer: Express runs the
 * stack in order. Those requests go unmeasured and, without help, `req.metrics` is undefined in
 * their handlers (`req.metrics.time(...)` throws a TypeError). So `req.metrics` is an accessor
 * on Node's request prototype — the one ancestor of every Express `req` there is before a
 * request reaches routemeter — with no-op timers where routemeter set none, and the mount order
 * is checked two ways, each reported once per meter through core:
 *
 * - when routemeter first sees a request of an app: routes or routers registered before it in
 *   the stack that holds it (they answer first);
 * - when a handler reads `req.metrics` of a request routemeter never saw.
 */

/** What the checks need of a middleware instance. */
export interface MountOrderSubject {
  readonly middleware: object
  reportMisordered(answeredBy: string): void
  /** Once per meter: `req.metrics` read too long after the response went out. */
  reportLateTimers(): void
}

/** Middleware function → its instance, to find the instance mounted in an app. */
const subjects = new WeakMap<object, MountOrderSubject>()
/**
 * The prototype Express gives an app's requests (`app.request`) → the instance that measured
 * them, also when it is not in the app's stack itself (called from a middleware of the app's).
 */
const subjectsByRequestPrototype = new WeakMap<object, MountOrderSubject>()

export function measuresRequestsOf(requestPrototype: unknown, subject: MountOrderSubject): void {
  if (typeof requestPrototype === 'object' && requestPrototype !== null)
    subjectsByRequestPrototype.set(requestPrototype, subject)
}

/** Apps whose unseen requests were looked into already: once is enough. */
const appsChecked = new WeakSet<object>()

export function watchMountOrder(subject: MountOrderSubject): void {
  subjects.set(subject.middleware, subject)
  installTimersProperty(IncomingMessage.prototype, 'metrics', reportUnseenRequest, timersOf)
}

/** Routes and routers registered before the middleware in the stack that holds it. */
export function checkLayersBefore(stack: readonly LayerLike[], subject: MountOrderSubject): void {
  const found: string[] = []
  for (const layer of stack) {
    if (layer.handle === subject.middleware) break
    if (layer.route !== undefined && layer.route !== null) found.push(routePathOf(layer))
    else if (isRouter(layer.handle) && layer.handle.stack.length > 0) {
      found.push(`${mountTemplateOf(layer) || '/'} (a router)`)
    }
  }
  if (found.length === 0) return
  const shown = found.slice(0, 3).join(', ')
  const more = found.length > 3 ? ` and ${found.length - 3} more` : ''
  subject.reportMisordered(
    `${found.length === 1 ? 'a route' : `${found.length} routes`} registered before it (${shown}${more})`,
  )
}

function timersOf(target: object): ExecutionTimers | undefined {
  const found = trackerOf(target as IncomingMessage)
  if (found instanceof RequestTracker) return found
  return found === NO_EXECUTION_TIMERS ? NO_EXECUTION_TIMERS : undefined
}

function reportUnseenRequest(target: object): void {
  const req = target as IncomingMessage & {
    app?: object
    route?: { path?: unknown }
    res?: { writableFinished?: unknown }
  }
  const app = req.app
  if (app === undefined) return
  // Its response has gone out: routemeter may well have measured it and let its tracker go
  // (see request-slot.ts); read now, its timers cannot be tied to the route any more.
  if (req.res?.writableFinished === true) {
    const measuring = subjectsByRequestPrototype.get(Object.getPrototypeOf(req))
    ;(measuring ?? mountedIn(app))?.reportLateTimers()
    return
  }
  if (appsChecked.has(app)) return
  appsChecked.add(app)
  const subject = mountedIn(app)
  const route = req.route?.path
  subject?.reportMisordered(
    `the ${typeof route === 'string' ? `route ${req.method} ${route}` : 'middleware'} that answered a request without passing it on (its handler read req.metrics)`,
  )
}

/** The routemeter middleware mounted in `app`, if any. */
function mountedIn(app: object): MountOrderSubject | undefined {
  const router = routerOf(app)
  return router === undefined ? undefined : subjectIn(router, 0)
}

/** The routemeter middleware mounted in `router` or a router under it, if any. */
function subjectIn(router: RouterLike, depth: number): MountOrderSubject | undefined {
  for (const layer of router.stack) {
    const subject = subjects.get(layer.handle)
    if (subject !== undefined) return subject
    if (depth < 8 && isRouter(layer.handle)) {
      const inner = subjectIn(layer.handle, depth + 1)
      if (inner !== undefined) return inner
    }
  }
  return undefined
}
