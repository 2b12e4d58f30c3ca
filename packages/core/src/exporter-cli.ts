#!/usr/bin/env node
/**
 * `routemeter-exporter`: the aggregator as a command, for deployments with no process of
 * their own to run it in — PM2's cluster mode (its primary is PM2's daemon) and several
 * processes in one container or host. Workers with `prometheus` set forward their changes to
 * it over the local socket of its port; Prometheus scrapes it.
 *
 *   routemeter-exporter [--port 9464] [--host localhost] [--socket PATH]
 *
 * Env: OTEL_EXPORTER_PROMETHEUS_PORT / _HOST as for the workers; ROUTEMETER_PROMETHEUS_AGGREGATOR
 * (a socket path) for the socket. Prints one JSON line once listening; SIGTERM or SIGINT closes
 * it and exits 0.
 */
import { parseArgs } from 'node:util'
import { defaultAggregatorSocket } from './config/prometheus-options'
import { startPrometheusAggregator } from './outputs/prometheus/aggregator'

const USAGE = 'usage: routemeter-exporter [--port 9464] [--host localhost] [--socket PATH]'

async function main(): Promise<void> {
  let values: { port?: string; host?: string; socket?: string; help?: boolean }
  try {
    values = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        socket: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`)
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const port = values.port === undefined ? undefined : Number(values.port)
  if (values.port !== undefined && !/^\d+$/.test(values.port))
    fail(`--port must be an integer 0–65535, got "${values.port}"\n${USAGE}`)
  const fromEnv = process.env.ROUTEMETER_PROMETHEUS_AGGREGATOR
  const envSocket =
    fromEnv === undefined || /^(|1|true|0|false)$/i.test(fromEnv.trim()) ? undefined : fromEnv
  const socket = values.socket ?? envSocket
  const aggregator = await startPrometheusAggregator({
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(socket === undefined ? {} : { socket }),
  }).catch((error: unknown) => fail(`cannot start: ${(error as Error).message}`))
  process.stdout.write(
    `${JSON.stringify({
      event: 'listening',
      url: `http://${aggregator.host.includes(':') ? `[${aggregator.host}]` : aggregator.host}:${aggregator.port}/metrics`,
      socket: aggregator.socket,
      pid: process.pid,
    })}\n`,
  )
  // Said once, so the default a worker computes and this one can be compared by eye.
  if (socket === undefined && aggregator.socket !== defaultAggregatorSocket(aggregator.port))
    process.stderr.write(
      `note: workers must be given prometheus.aggregator = ${aggregator.socket}\n`,
    )
  let closing = false
  const close = (): void => {
    if (closing) return
    closing = true
    void aggregator.close().then(() => process.exit(0))
  }
  process.on('SIGTERM', close)
  process.on('SIGINT', close)
}

function fail(message: string): never {
  process.stderr.write(`routemeter-exporter: ${message}\n`)
  process.exit(2)
}

void main()
