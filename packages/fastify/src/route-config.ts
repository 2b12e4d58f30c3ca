import { RoutemeterOptionError } from '@routemeter/core'

/** The object form of a route's `config.metrics`. */
export interface RoutemeterRouteConfig {
  /**
   * Label recorded instead of the route template, e.g. to merge several routes into one series.
   * It is sanitised for the wire like any route label.
   */
  route?: string
}

/** A route's `config.metrics`: `false` leaves the route unmeasured; `true` or absent is the default. */
export type RouteMetricsSetting = boolean | RoutemeterRouteConfig

const ALLOWED = 'true, false or { route: "<label>" }'

/** Checks a route's `config.metrics` when the route is declared, so a typo fails at startup. */
export function validateRouteSetting(value: unknown, where: string): void {
  if (value === undefined || typeof value === 'boolean') return
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RoutemeterOptionError(`config.metrics of ${where}`, value, ALLOWED)
  }
  for (const key of Object.keys(value)) {
    if (key !== 'route') {
      throw new RoutemeterOptionError(`config.metrics.${key} of ${where}`, value, ALLOWED)
    }
  }
  const label = (value as RoutemeterRouteConfig).route
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '')) {
    throw new RoutemeterOptionError(`config.metrics.route of ${where}`, label, 'a non-empty string')
  }
}

/** What a route's setting asks for: not measured, a custom label, or the default. */
export function readRouteSetting(
  value: unknown,
): { measured: false } | { measured: true; label: string | undefined } {
  if (value === false) return { measured: false }
  if (typeof value === 'object' && value !== null) {
    const label = (value as RoutemeterRouteConfig).route
    if (typeof label === 'string' && label.trim() !== '') return { measured: true, label }
  }
  return { measured: true, label: undefined }
}
