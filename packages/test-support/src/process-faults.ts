/**
 * Watches the process for what must never happen because of metrics: an unhandled rejection,
 * an uncaught exception, or a warning such as `MaxListenersExceededWarning` (a listener leak).
 * Install it before the code under test runs, assert `faults` is empty afterwards, then `stop()`.
 */
export interface ProcessFaultWatch {
  /** What was seen, as `kind: message`. */
  readonly faults: string[]
  stop(): void
}

export function watchProcessFaults(): ProcessFaultWatch {
  const faults: string[] = []
  const onRejection = (reason: unknown): void => {
    faults.push(`unhandledRejection: ${describe(reason)}`)
  }
  const onException = (error: unknown): void => {
    faults.push(`uncaughtException: ${describe(error)}`)
  }
  const onWarning = (warning: Error): void => {
    // Node's own notices about experimental features say nothing about the code under test.
    if (warning.name !== 'ExperimentalWarning') faults.push(`warning: ${describe(warning)}`)
  }
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  process.on('warning', onWarning)
  return {
    faults,
    stop() {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
      process.off('warning', onWarning)
    },
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  return String(value)
}
