import net from 'node:net'

/** One request of a load: what is sent. Header values must be latin1 (HTTP/1.1 carries bytes). */
export interface LoadRequest {
  readonly method: string
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

/** One response as the client read it: the status, `content-type` and the body (latin1). */
export interface LoadResponse {
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
}

export interface HttpLoadOptions {
  readonly port: number
  /** Loopback only, like every test socket. Default `127.0.0.1`. */
  readonly host?: string
  /** Requests in all. */
  readonly total: number
  /** Keep-alive connections used side by side. Default 8. */
  readonly connections?: number
  /** Requests written ahead on one connection before its first answer is read. Default 16. */
  readonly pipeline?: number
  /** The `i`-th request (0-based, in the order they are written). */
  request(i: number): LoadRequest
  /** Sees the answer to request `i`; answers of one connection come in order. */
  onResponse?(i: number, response: LoadResponse): void
}

export interface HttpLoadResult {
  /** How many responses had each status. */
  readonly statuses: Readonly<Record<number, number>>
  readonly responses: number
}

/**
 * Real HTTP/1.1 load over a few keep-alive connections with pipelining: the server parses real
 * requests from real sockets and writes real responses, while the client does as little as a
 * client can (write request text, split responses by `content-length` or chunked framing). That
 * makes hundreds of thousands of requests affordable in a test on a 2-core machine, where
 * `http.request` would spend most of the CPU on the client side.
 *
 * Rejects if a connection closes or fails with requests unanswered (a crashed or stuck server).
 */
export async function sendHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const statuses: Record<number, number> = {}
  let next = 0
  let responses = 0
  const take = (): number | undefined => (next < options.total ? next++ : undefined)
  const onResponse = (i: number, response: LoadResponse): void => {
    responses++
    statuses[response.status] = (statuses[response.status] ?? 0) + 1
    options.onResponse?.(i, response)
  }
  const connections = Math.max(1, Math.min(options.connections ?? 8, options.total))
  await Promise.all(
    Array.from({ length: connections }, () =>
      runConnection(options, take, onResponse, options.pipeline ?? 16),
    ),
  )
  return { statuses, responses }
}

function runConnection(
  options: HttpLoadOptions,
  take: () => number | undefined,
  onResponse: (i: number, response: LoadResponse) => void,
  depth: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port })
    socket.setNoDelay(true)
    const parser = new ResponseParser()
    let finished = false
    const fail = (error: Error): void => {
      if (finished) return
      finished = true
      socket.destroy()
      reject(error)
    }
    const fill = (): void => {
      let text = ''
      while (parser.pending < depth) {
        const i = take()
        if (i === undefined) break
        const request = options.request(i)
        parser.expect(i, request.method === 'HEAD')
        text += requestText(request)
      }
      if (text !== '') {
        socket.write(text, 'latin1')
      } else if (parser.pending === 0) {
        finished = true
        socket.end()
        resolve()
      }
    }
    socket.setEncoding('latin1')
    socket.on('connect', fill)
    socket.on('data', (chunk: string) => {
      try {
        parser.push(chunk, onResponse)
        fill()
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)))
      }
    })
    socket.on('error', fail)
    socket.on('close', () => {
      if (!finished) fail(new Error(`connection closed with ${parser.pending} requests unanswered`))
    })
  })
}

function requestText(request: LoadRequest): string {
  let text = `${request.method} ${request.path} HTTP/1.1\r\nhost: 127.0.0.1\r\n`
  for (const [name, value] of Object.entries(request.headers ?? {})) text += `${name}: ${value}\r\n`
  if (request.body !== undefined) {
    text += `content-length: ${Buffer.byteLength(request.body, 'latin1')}\r\n\r\n${request.body}`
  } else {
    text += '\r\n'
  }
  return text
}

/**
 * Splits a stream of HTTP/1.1 responses (latin1 text) into status, content type and body, and
 * pairs each with the request it answers (pipelined answers come in request order).
 */
class ResponseParser {
  private buffer = ''
  /** Requests written and not answered yet, oldest first: index and whether it was a HEAD. */
  private readonly waiting: Array<{ readonly i: number; readonly head: boolean }> = []
  private waitingHead = 0

  get pending(): number {
    return this.waiting.length - this.waitingHead
  }

  expect(i: number, head: boolean): void {
    this.waiting.push({ i, head })
  }

  push(chunk: string, onResponse: (i: number, response: LoadResponse) => void): void {
    this.buffer += chunk
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n')
      if (end === -1) return
      const head = this.buffer.slice(0, end).split('\r\n')
      const status = Number((head[0] ?? '').split(' ')[1])
      if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${head[0]}`)
      const headers = new Map<string, string>()
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':')
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
      }
      const bodyStart = end + 4
      if (status < 200) {
        // 100 Continue and friends: a head with no body, followed by the real response.
        this.buffer = this.buffer.slice(bodyStart)
        continue
      }
      const request = this.waiting[this.waitingHead]
      if (request === undefined) throw new Error(`a ${status} response arrived for no request`)
      let body: string
      let rest: number
      if (request.head || status === 204 || status === 304) {
        body = ''
        rest = bodyStart
      } else if (headers.get('transfer-encoding')?.includes('chunked')) {
        const chunked = readChunked(this.buffer, bodyStart)
        if (chunked === undefined) return
        ;[body, rest] = chunked
      } else {
        const length = Number(headers.get('content-length') ?? 0)
        if (this.buffer.length < bodyStart + length) return
        body = this.buffer.slice(bodyStart, bodyStart + length)
        rest = bodyStart + length
      }
      this.buffer = this.buffer.slice(rest)
      this.waitingHead++
      if (this.waitingHead === this.waiting.length || this.waitingHead > 1024) {
        this.waiting.splice(0, this.waitingHead)
        this.waitingHead = 0
      }
      onResponse(request.i, { status, contentType: headers.get('content-type'), body })
    }
  }
}

/** A chunked body starting at `from`: the body and where the next response starts, if complete. */
function readChunked(text: string, from: number): [string, number] | undefined {
  let body = ''
  let at = from
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at)
    if (lineEnd === -1) return undefined
    const size = Number.parseInt(text.slice(at, lineEnd), 16)
    if (Number.isNaN(size)) throw new Error('malformed chunked body')
    const dataStart = lineEnd + 2
    if (size === 0) {
      // No trailers are expected: the last chunk is followed by an empty line.
      if (text.length < dataStart + 2) return undefined
      return [body, dataStart + 2]
    }
    if (text.length < dataStart + size + 2) return undefined
    body += text.slice(dataStart, dataStart + size)
    at = dataStart + size + 2
  }
}
