import { setTimeout as sleep } from 'node:timers/promises'
import { requestCounts } from '@routemeter/example-shared/exposition'

const POLL_MS = 200

/** Requests counted in one scrape of `url`, by status code: `Map` of `'200'` → count. */
export async function scrapeByStatus(url, style) {
  const response = await fetch(url)
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`)
  const byStatus = new Map()
  for (const [key, count] of requestCounts(await response.text(), style)) {
    const status = key.slice(key.lastIndexOf(' ') + 1)
    byStatus.set(status, (byStatus.get(status) ?? 0) + count)
  }
  return byStatus
}

/**
 * Scrapes a cluster's /metrics until its totals by status equal `sent` (its workers' last
 * changes arrive with their next flush), or until `timeoutMs` passed: `{ byStatus, total,
 * same }` of the last scrape.
 */
export async function scrapeUntilEqual(url, style, sent, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const byStatus = await scrapeByStatus(url, style)
    const same = sameCounts(byStatus, sent)
    if (same || Date.now() >= deadline) {
      const total = [...byStatus.values()].reduce((a, b) => a + b, 0)
      return { byStatus, total, same }
    }
    await sleep(POLL_MS)
  }
}

/** Two tallies by status hold the same counts (a status missing from one counts 0). */
export function sameCounts(a, b) {
  const keys = new Set([...a.keys(), ...b.keys()])
  for (const key of keys) if ((a.get(key) ?? 0) !== (b.get(key) ?? 0)) return false
  return true
}
