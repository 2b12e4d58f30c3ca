import { sanitizeTagValue } from '@routemeter/core/adapter'
import { type CaptureMeter, waitUntil } from '@routemeter/core/testing'

/**
 * The request counts an in-memory meter holds, by series (`method route status`), once every
 * request has ended and the meter has flushed. Throws, listing what was counted, unless the
 * counts add up to exactly `total`.
 */
export async function countedBySeries(
  capture: CaptureMeter,
  total: number,
): Promise<Record<string, number>> {
  const meter = capture.meter
  await waitUntil(() => meter.stats().activeRequests === 0, 'every request has ended')
  await meter.flush()
  const counts: Record<string, number> = {}
  for (const sample of capture.find('http.server.requests')) {
    const { route, method, status_code } = sample.tags
    const key = `${method} ${route} ${status_code}`
    counts[key] = (counts[key] ?? 0) + Number(sample.values[0])
  }
  const sum = Object.values(counts).reduce((a, b) => a + b, 0)
  if (sum !== total) {
    throw new Error(`${sum} requests counted, ${total} expected: ${JSON.stringify(counts)}`)
  }
  return counts
}

/** The key {@link countedBySeries} files a request under: the route as the wire carries it (DogStatsD tags). */
export function seriesKey(method: string, route: string, status: number): string {
  return `${method} ${sanitizeTagValue(route, 'dogstatsd')} ${status}`
}
