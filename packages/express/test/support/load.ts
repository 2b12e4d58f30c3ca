import http from 'node:http'

export interface PlannedRequest {
  readonly method: string
  readonly path: string
}

/**
 * Sends `total` requests, `plan(i)` each, over `concurrency` keep-alive connections, and returns
 * how many got each status. Bodies are drained so connections are reused.
 */
export async function sendLoad(
  port: number,
  total: number,
  plan: (i: number) => PlannedRequest,
  concurrency = 32,
): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const statuses = new Map<number, number>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) {
      const { method, path } = plan(next++)
      const status = await send(port, agent, method, path)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    agent.destroy()
  }
  return statuses
}

function send(port: number, agent: http.Agent, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
