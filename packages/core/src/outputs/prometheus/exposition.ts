import type { IncomingMessage, ServerResponse } from 'node:http'
import type { PrometheusRegistry } from '../../config/prometheus-options'
import { type ExpositionFormat, negotiateFormat } from './negotiation'
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './registry'

export interface Scrape {
  readonly contentType: string
  readonly body: string
}

/**
 * Answers scrapes from a registry in the format each scraper asks for. Scrapes are written one
 * at a time (switching a prom-client registry's format is only safe between two writes), and
 * scrapes arriving meanwhile share the next write of their format: a scrape flood costs at
 * most one write per format at a time, never a queue.
 */
export class Exposition {
  private writing: Promise<unknown> = Promise.resolve()
  private readonly next: Partial<Record<ExpositionFormat, Promise<Scrape>>> = {}

  constructor(
    private readonly registry: PrometheusRegistry,
    /** Runs before each write: the single-process meter flushes, so a scrape reads everything. */
    private readonly beforeWrite: () => void = () => {},
  ) {}

  scrape(accept: string | undefined): Promise<Scrape> {
    const format = negotiateFormat(accept)
    const queued = this.next[format]
    if (queued !== undefined) return queued
    const scrape = this.writing.then(() => {
      this.next[format] = undefined
      return this.write(format)
    })
    this.next[format] = scrape
    this.writing = scrape.catch(() => undefined)
    return scrape
  }

  /** A `node:http` request listener for the metrics path: GET and HEAD. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      res.end('Method Not Allowed\n')
      return
    }
    this.scrape(req.headers.accept).then(
      (scrape) => {
        res.writeHead(200, {
          'content-type': scrape.contentType,
          'cache-control': 'no-store',
          'content-length': Buffer.byteLength(scrape.body),
        })
        res.end(req.method === 'HEAD' ? undefined : scrape.body)
      },
      (error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`metrics exposition failed: ${String(error)}\n`)
      },
    )
  }

  private async write(format: ExpositionFormat): Promise<Scrape> {
    this.beforeWrite()
    const registry = this.registry
    const wanted = format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE
    const own = registry.contentType
    if (own === wanted)
      return { contentType: wanted, body: valid(format, await registry.metrics()) }
    // prom-client strips `_total` from its own counters' names when it writes OpenMetrics and
    // does not put it back: restore them, so the registry's own format stays right afterwards.
    const names = registry.getMetricsAsArray().map((metric) => [metric, metric.name] as const)
    registry.setContentType(wanted)
    try {
      return { contentType: wanted, body: valid(format, await registry.metrics()) }
    } finally {
      registry.setContentType(own)
      for (const [metric, name] of names) if (metric.name !== name) metric.name = name
    }
  }
}

/**
 * prom-client writes an empty registry's OpenMetrics as a blank line before `# EOF`, which
 * OpenMetrics forbids (Prometheus then fails the scrape): an aggregator no worker has reached
 * yet, or a meter that saw no request, must still be a valid target.
 */
function valid(format: ExpositionFormat, body: string): string {
  return format === 'openmetrics' && body.startsWith('\n') ? body.replace(/^\n+/, '') : body
}
