import { NO_EXECUTION_TIMERS } from '@routemeter/core/adapter'
import { Context } from 'hono'

/**
 * Hono runs the handlers matched for a path in the order they were added: routemeter added
 * after a route never sees the requests that route answers, and there `c.var.metrics` is
 * undefined. Hono's context keeps its variables in a private map, so the only place to answer for
 * them is the `var` getter of Hono's `Context` class (of the Hono this package resolves, the
 * app's own as a peer dependency): it gives no-op timers where routemeter set none, and the first
 * such read is reported once per meter, with the fix. (`c.get` is a function Hono creates per
 * context, out of reach: `c.get('metrics')` stays undefined there.) A Hono context holds no
 * reference to its app, so the report goes to every live routemeter meter.
 */

/** What the report needs of a middleware instance. */
export interface MountOrderSubject {
  reportMisordered(answeredBy: string): void
}

const kPatched = Symbol.for('routemeter.honoContextVar')
type ContextProto = { [kPatched]?: true }

const subjects = new Set<WeakRef<MountOrderSubject>>()
let unseenReported = false

export function watchMountOrder(subject: MountOrderSubject): void {
  subjects.add(new WeakRef(subject))
  const proto = Context.prototype as unknown as ContextProto
  if (proto[kPatched] === true) return
  const varGetter = Object.getOwnPropertyDescriptor(Context.prototype, 'var')?.get
  if (varGetter === undefined) return
  proto[kPatched] = true
  Object.defineProperty(proto, 'var', {
    get(this: Context): Record<string, unknown> {
      const vars = varGetter.call(this) as Record<string, unknown>
      if (vars.metrics !== undefined) return vars
      reportUnseen()
      return { ...vars, metrics: NO_EXECUTION_TIMERS }
    },
    configurable: true,
  })
}

function reportUnseen(): void {
  if (unseenReported) return
  unseenReported = true
  for (const ref of subjects) {
    const subject = ref.deref()
    if (subject === undefined) subjects.delete(ref)
    else {
      subject.reportMisordered(
        'a route or middleware that answered a request without passing it on (its handler read c.var.metrics)',
      )
    }
  }
}
