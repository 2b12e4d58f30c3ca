import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { waitUntil } from '@routemeter/core/testing'

export { type Deferred, deferred } from '@routemeter/test-support'

/** Waits until `predicate` holds (checked every few ms); fails after `timeoutMs` with `what`. */
export function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  return waitUntil(predicate, what, timeoutMs)
}

/** Like {@link until}, for a check that has to ask something asynchronously (the statsd daemon). */
export function untilAsync(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  return waitUntil(check, what, timeoutMs, 20)
}

/** Starts `server` on a free loopback port; returns the port. */
export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
