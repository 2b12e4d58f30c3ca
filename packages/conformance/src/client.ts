import http from 'node:http'

/** The status and body of a request on a connection of its own. */
export async function fetchText(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  const answer = await fetchWithHeaders(port, method, path, body)
  return { status: answer.status, body: answer.body }
}

/** {@link fetchText} with request headers of its own, and the response's headers back. */
export function fetchWithHeaders(
  port: number,
  method: string,
  path: string,
  body?: string,
  extraHeaders: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders =
      body === undefined
        ? { ...extraHeaders }
        : { 'content-type': 'application/json', ...extraHeaders }
    const request = http.request(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }),
        )
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

/** What {@link send} sends besides method and path. */
export interface SendOptions {
  readonly headers?: http.OutgoingHttpHeaders
  /**
   * The body: one string (sent with its Content-Length), or pieces sent one by one with
   * `Transfer-Encoding: chunked`, a turn apart, as a streaming client uploads.
   */
  readonly body?: string | readonly string[]
}

/** The status, body and body size in bytes (as received, chunk framing removed) of one request. */
export async function send(
  port: number,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<{ status: number; body: string; bytes: number }> {
  const { body } = options
  const headers: http.OutgoingHttpHeaders = { ...options.headers }
  if (typeof body !== 'string' && body !== undefined) headers['transfer-encoding'] = 'chunked'
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const received = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            body: received.toString('utf8'),
            bytes: received.length,
          })
        })
        res.on('error', reject)
      },
    )
    request.on('error', reject)
    if (typeof body === 'string' || body === undefined) {
      request.end(body)
      return
    }
    const pieces = [...body]
    const next = (): void => {
      const piece = pieces.shift()
      if (piece === undefined) request.end()
      else request.write(piece, () => setImmediate(next))
    }
    next()
  })
}
