import type { Server } from 'node:http'
import type { Meter } from '@routemeter/core'
import type { AppSpec, StartedApp, StartOptions } from './adapter'
import { listenOnLoopback } from './factory-parts'

/** What a middleware-style adapter (`routemeter(options)` for Express, Koa, Hono) is closed by. */
interface ClosableMetrics {
  close(): Promise<void>
}

/**
 * Shutdown, metrics close and teardown of an app served by a plain `http.Server` with a
 * middleware-style adapter, as the README shows them for Express, Koa and Hono. One copy, so
 * every such adapter is held to the same sequence.
 */
export function plainServerLifecycle(
  server: Server,
  metrics: ClosableMetrics | undefined,
  spec: AppSpec,
): Pick<StartedApp, 'shutdown' | 'closeMetrics' | 'dispose'> {
  const closeServer = (): Promise<void> =>
    server.listening ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve()
  return {
    shutdown: spec.forceCloseConnections
      ? // Forced: the server's close callback runs before the cut-off responses emit `close`.
        () =>
          new Promise<void>((resolve, reject) => {
            if (!server.listening) return void metrics?.close().then(resolve, reject)
            server.close(() => void (metrics?.close() ?? Promise.resolve()).then(resolve, reject))
            server.closeAllConnections()
          })
      : // Graceful: stop accepting and wait for the requests in flight, then flush.
        async () => {
          await closeServer()
          await metrics?.close()
        },
    closeMetrics: async () => metrics?.close(),
    async dispose() {
      server.closeAllConnections()
      await closeServer()
      await metrics?.close()
    },
  }
}

/** The `http.Server` options for `spec`: headers up to 16 MB for the `large` (injection) apps. */
export function plainServerOptions(spec: AppSpec): { maxHeaderSize?: number } {
  return spec.large ? { maxHeaderSize: 16 * 1024 * 1024 } : {}
}

/**
 * Hands `server` (built, not yet listening) to `how.onServer`, listens on a loopback port and
 * returns the started app: its port, server, the middleware's meter and the plain-server
 * lifecycle. The end of every middleware-style factory's `start()`.
 */
export async function startPlainServer(
  server: Server,
  metrics: (ClosableMetrics & { readonly meter: Meter }) | undefined,
  spec: AppSpec,
  how: StartOptions,
): Promise<StartedApp> {
  how.onServer?.(server)
  const port = await listenOnLoopback(server)
  return {
    port,
    server,
    meter: metrics?.meter,
    ...plainServerLifecycle(server, metrics, spec),
  }
}
