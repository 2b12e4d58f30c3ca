import { once } from 'node:events'
import net from 'node:net'

/**
 * An HTTP/1.1 connection driven byte by byte, for what no HTTP client does on request:
 * pipelining several requests in one write, stalling an upload half-way, hanging up at a
 * chosen moment.
 */
export interface RawConnection {
  /** Writes raw bytes (see {@link rawRequest}). */
  write(bytes: string): void
  /** Everything received so far, as text. */
  received(): string
  /** Status codes of the response heads received so far, in order. */
  statuses(): number[]
  /** Drops the connection, as a client that gives up does. */
  abort(): void
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>
}

export async function openRawConnection(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  const socket = net.connect(port, host)
  socket.on('error', () => {})
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    text += chunk
  })
  const closed = once(socket, 'close').then(() => {})
  await once(socket, 'connect')
  return {
    write: (bytes) => {
      socket.write(bytes, 'latin1')
    },
    received: () => text,
    statuses: () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1])),
    abort: () => {
      socket.destroy()
    },
    closed,
  }
}

/**
 * One request in wire form. `body` is sent as is; `contentLength` may announce more than the
 * body holds, for an upload that stalls.
 */
export function rawRequest(
  method: string,
  path: string,
  options: { body?: string; contentLength?: number; headers?: Record<string, string> } = {},
): string {
  const { body = '', headers = {} } = options
  let head = `${method} ${path} HTTP/1.1\r\nHost: routemeter.test\r\n`
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`
  const length = options.contentLength ?? (body === '' ? undefined : Buffer.byteLength(body))
  if (length !== undefined) head += `Content-Length: ${length}\r\n`
  return `${head}\r\n${body}`
}
