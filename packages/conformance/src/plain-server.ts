import type { Server } from 'node:http'
import type { AppSpec, StartedApp } from './adapter'

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
