import type { Server } from 'node:http'
import type { CaptureMeter } from '@routemeter/core/testing'

/** Sends one request to the app on loopback `port` and reads the whole answer. */
export async function fetchAnswer(
  port: number,
  path: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers })
  return { status: response.status, body: await response.text() }
}

/**
 * Ends a test app measured by a middleware into an in-memory meter: the server (when it was
 * started) with its connections, then the middleware, then the meter.
 */
export async function closeMeasuredApp(
  server: Server | undefined,
  metrics: { close(): Promise<void> },
  capture: CaptureMeter,
): Promise<void> {
  if (server !== undefined) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  await metrics.close()
  await capture.meter.close()
}
