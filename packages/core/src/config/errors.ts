/**
 * Thrown at startup when an option is invalid. The message names the option, the value
 * received (and where it came from) and what is allowed, so a misconfigured service fails
 * with something a person can act on.
 */
export class RoutemeterOptionError extends Error {
  override readonly name = 'RoutemeterOptionError'
  readonly option: string
  readonly value: unknown
  readonly allowed: string

  constructor(option: string, value: unknown, allowed: string, source?: string) {
    const from = source ? ` (from ${source})` : ''
    super(
      `routemeter: invalid option "${option}": received ${describe(value)}${from}; expected ${allowed}`,
    )
    this.option = option
    this.value = value
    this.allowed = allowed
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === 'function') return 'a function'
  // A short list of numbers or strings (buckets, paths) is shown as it was given.
  if (Array.isArray(value)) {
    const shown = value.every((item) => ['number', 'string'].includes(typeof item))
      ? JSON.stringify(value)
      : undefined
    return shown !== undefined && shown.length <= 80 ? shown : 'an array'
  }
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}
