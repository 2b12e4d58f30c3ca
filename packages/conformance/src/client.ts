import http from 'node:http'

/** The status and body of a request on a connection of its own. */
export async function fetchText(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders =
      body === undefined ? {} : { 'content-type': 'application/json' }
    const request = http.request(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        res.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

/** A request the test can abandon mid-way, as a client that gives up does. */
export interface Abandonable {
  /** The status once a response head arrives, or `undefined` if the connection closed first. */
  readonly head: Promise<number | undefined>
  /** Resolves when the first chunk of the body has arrived. */
  readonly firstChunk: Promise<void>
  /** Resolves when the client's connection has closed, for whatever reason. */
  readonly closed: Promise<void>
  abandon(): void
}

export function startRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
): Abandonable {
  const headers: http.OutgoingHttpHeaders =
    body === undefined ? {} : { 'content-type': 'application/json' }
  const request = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false })
  let chunk: () => void = () => {}
  const firstChunk = new Promise<void>((resolve) => {
    chunk = resolve
  })
  const head = new Promise<number | undefined>((resolve) => {
    request.on('response', (res) => {
      resolve(res.statusCode)
      res.once('data', () => chunk())
      res.on('data', () => {})
      res.on('error', () => {})
    })
    request.on('close', () => resolve(undefined))
  })
  const closed = new Promise<void>((resolve) => request.on('close', () => resolve()))
  request.on('error', () => {})
  request.end(body)
  return { head, firstChunk, closed, abandon: () => request.destroy() }
}
