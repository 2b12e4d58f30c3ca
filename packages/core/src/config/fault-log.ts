import type { MeterLogger } from './option-types'

/** Kinds of runtime fault; each is counted and logged at most once per minute. */
export type FaultKind =
  | 'send'
  | 'dns'
  | 'tcp-connection'
  | 'queue-overflow'
  | 'oversize-line'
  | 'series-cap'
  | 'invalid-value'
  | 'naming'
  | 'reserved-name'
  | 'label'
  | 'label-cap'
  | 'prometheus'
  | 'prometheus-listen'
  | 'prometheus-aggregator'
  | 'prometheus-queue'

const LOG_INTERVAL_MS = 60_000

/**
 * Runtime faults never reach the app: they are counted, and logged once per kind per minute
 * so a StatsD outage does not flood the service's logs.
 */
export class FaultLog {
  readonly counts: Record<string, number> = {}
  private readonly lastLogged = new Map<FaultKind, number>()

  constructor(private readonly logger: MeterLogger) {}

  report(kind: FaultKind, detail: string): void {
    const count = (this.counts[kind] ?? 0) + 1
    this.counts[kind] = count
    const now = Date.now()
    const last = this.lastLogged.get(kind)
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return
    this.lastLogged.set(kind, now)
    try {
      this.logger.warn(
        `routemeter: ${kind} fault: ${detail} (${count} so far; metrics are counted as dropped, ` +
          `the app is unaffected; next '${kind}' message in a minute at the earliest)`,
      )
    } catch {
      // A throwing logger must not turn a metrics fault into an app fault.
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code ? `${error.message} [${code}]` : error.message
  }
  return String(error)
}
