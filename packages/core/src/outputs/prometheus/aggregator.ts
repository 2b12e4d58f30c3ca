import { RoutemeterOptionError } from '../../config/errors'
import { FaultLog } from '../../config/fault-log'
import type { MeterLogger } from '../../config/option-types'
import {
  checkRegistry,
  DEFAULT_PROMETHEUS_PORT,
  defaultAggregatorSocket,
  isPort,
  type PrometheusRegistry,
  prometheusHost,
  prometheusPortFromEnv,
} from '../../config/prometheus-options'
import { Aggregate } from './aggregate'
import { Exposition } from './exposition'
import { registerFamilies } from './families'
import { IngestServer } from './ingest'
import { newRegistry } from './registry'
import { ScrapeServer } from './scrape-server'
import { PrometheusStore } from './store'

export interface PrometheusAggregatorOptions {
  /** Scrape port. Env `OTEL_EXPORTER_PROMETHEUS_PORT`. Default `9464`; `0` picks a free one. */
  port?: number
  /** Scrape host. Env `OTEL_EXPORTER_PROMETHEUS_HOST`. Default `localhost`. */
  host?: string
  /** The local socket workers send to. Default: one per port in the OS temp folder. */
  socket?: string
  /** A prom-client registry to expose routemeter's series in, beside your own. */
  registry?: PrometheusRegistry
  /** Where faults go (rate limited). Default `console`. */
  logger?: MeterLogger
}

export interface PrometheusAggregator {
  /** The scrape host it bound (`host`, `OTEL_EXPORTER_PROMETHEUS_HOST` or `localhost`). */
  readonly host: string
  /** The scrape port (the one chosen when `port` was 0). */
  readonly port: number
  readonly socket: string
  /** The exposition now, as a scrape in `accept`'s format would get it. */
  scrape(accept?: string): Promise<{ contentType: string; body: string }>
  stats(): { readonly connections: number; readonly messages: number; readonly refused: number }
  close(): Promise<void>
}

/**
 * Starts the process that holds cluster-wide totals: workers (a `node:cluster` app's, PM2's,
 * a container's processes) send it their changes after each flush over a local socket, and it
 * answers scrapes from what it holds, never asking a worker anything.
 */
export async function startPrometheusAggregator(
  options: PrometheusAggregatorOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<PrometheusAggregator> {
  const port = options.port ?? prometheusPortFromEnv(env) ?? DEFAULT_PROMETHEUS_PORT
  if (!isPort(port)) throw new RoutemeterOptionError('port', port, 'an integer 0–65535')
  const host = prometheusHost(options.host, 'host', env)
  const given = checkRegistry(options.registry, 'registry')
  const faults = new FaultLog(options.logger ?? console)
  const refuse = (reason: string): void => {
    refused++
    faults.report('prometheus', `aggregator ignored ${reason}`)
  }
  let refused = 0
  const store = new PrometheusStore(false, refuse)
  const registry = given ?? newRegistry()
  registerFamilies(store, registry, refuse)
  const exposition = new Exposition(registry)
  const ingest = new IngestServer(new Aggregate(store, refuse), refuse)
  const scrapes = new ScrapeServer(exposition)
  const boundPort = await scrapes.listen(port, host)
  const socket = options.socket ?? defaultAggregatorSocket(boundPort)
  try {
    await ingest.listen(socket)
  } catch (error) {
    await scrapes.close()
    throw error
  }
  return {
    host,
    port: boundPort,
    socket,
    scrape: (accept) => exposition.scrape(accept),
    stats: () => ({ connections: ingest.connections, messages: ingest.messages, refused }),
    close: async () => {
      await Promise.all([ingest.close(), scrapes.close()])
    },
  }
}
