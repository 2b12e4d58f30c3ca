import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Exposition } from './exposition'

/** The path Prometheus scrapes by default, and OpenTelemetry's Prometheus exporter serves. */
export const METRICS_PATH = '/metrics'

/**
 * A `node:http` server of its own that answers `GET /metrics` (and nothing else), for metrics
 * kept off the application's public port — the usual practice.
 */
export class ScrapeServer {
  private readonly server: Server

  constructor(exposition: Exposition) {
    this.server = createServer((req, res) => {
      const url = req.url ?? '/'
      const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url
      if (path === METRICS_PATH) {
        exposition.handle(req, res)
        return
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`Not Found: metrics are at ${METRICS_PATH}\n`)
    })
    // A scraper that keeps its connection open must not hold up close().
    this.server.keepAliveTimeout = 30_000
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error)
      this.server.once('error', failed)
      // exclusive: in a cluster worker, a port shared through the primary would hand each
      // scrape to a different worker.
      this.server.listen({ port, host, exclusive: true }, () => {
        this.server.off('error', failed)
        resolve((this.server.address() as AddressInfo).port)
      })
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  /** Keeps the process alive or not: a meter's own listener must not, an aggregator's must. */
  unref(): void {
    this.server.unref()
  }
}
