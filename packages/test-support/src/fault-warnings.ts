/**
 * Collects the warnings a meter logs (pass `logger` as the meter's logger, or feed `push()` from
 * a framework logger) and reads them back by fault kind: routemeter's fault messages start with
 * `routemeter: <kind> fault:`.
 */
export class FaultWarnings {
  readonly messages: string[] = []
  /** Fits routemeter's `logger` option (`MeterLogger`: an object with `warn(message)`). */
  readonly logger: { warn(message: string): void } = {
    warn: (message: string) => this.push(message),
  }

  push(message: string): void {
    this.messages.push(String(message))
  }

  /** How many messages were logged for each fault kind. */
  byKind(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const message of this.messages) {
      const kind = /^routemeter: ([a-z-]+) fault:/.exec(message)?.[1]
      if (kind !== undefined) counts[kind] = (counts[kind] ?? 0) + 1
    }
    return counts
  }

  /** Messages that are not routemeter fault messages (should normally be none). */
  others(): string[] {
    return this.messages.filter((message) => !/^routemeter: [a-z-]+ fault:/.test(message))
  }
}

export function captureFaultWarnings(): FaultWarnings {
  return new FaultWarnings()
}
