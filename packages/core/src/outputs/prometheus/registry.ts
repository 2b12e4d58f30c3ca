import { createRequire } from 'node:module'
import { RoutemeterOptionError } from '../../config/errors'
import type { PrometheusRegistry } from '../../config/prometheus-options'

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

interface PromClientModule {
  Registry: new (contentType?: string) => PrometheusRegistry
}

/**
 * prom-client, loaded only when Prometheus is asked for: it is an optional peer dependency, so
 * a StatsD-only install carries nothing more. Missing, it fails at start-up with the fix.
 */
export function newRegistry(): PrometheusRegistry {
  let promClient: PromClientModule
  try {
    promClient = createRequire(import.meta.url)('prom-client') as PromClientModule
  } catch (error) {
    throw new RoutemeterOptionError(
      'prometheus',
      'set',
      `the prom-client package installed beside routemeter (npm install prom-client): ${String((error as Error).message).split('\n')[0]}`,
    )
  }
  return new promClient.Registry(TEXT_CONTENT_TYPE)
}
