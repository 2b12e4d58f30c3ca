import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AdapterOptions } from '@routemeter/core/adapter'
import { HttpError, type Reply, type StartOptions } from './adapter'

/** The parts every adapter's factory builds the same way, whatever its framework. */

/**
 * The app's error reply when the spec gives no `onError`: the status of an {@link HttpError},
 * else 500, with `{ "error": message }`.
 */
export function defaultErrorReply(error: unknown): Reply {
  const status = error instanceof HttpError ? error.status : 500
  return { status, json: { error: (error as Error).message } }
}

/**
 * The options for a framework without a logger of its own: routemeter's faults go to the app's
 * log (`how.appLog`) through the `logger` option, unless the options name a logger already.
 */
export function withAppLogger(options: AdapterOptions, how: StartOptions): AdapterOptions {
  if (how.appLog === undefined || (options as { logger?: unknown }).logger !== undefined) {
    return options
  }
  return { ...options, logger: how.appLog.logger }
}

/** Starts `server` on a free loopback port; rejects if it cannot listen. Returns the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}
