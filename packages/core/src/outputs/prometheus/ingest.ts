import { existsSync, unlinkSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { Aggregate } from './aggregate'
import type { ChangeMessage } from './changes'
import { LineReader } from './line-reader'

/** A worker's message is one flush of changes; 64 MiB is far above any series bound. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * The aggregator's side of the local socket: reads each worker's change messages and adds them
 * to the aggregate. A worker is a source for as long as its connection lasts.
 */
export class IngestServer {
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  connections = 0
  messages = 0

  constructor(
    private readonly aggregate: Aggregate,
    private readonly refuse: (reason: string) => void,
  ) {
    this.server = createServer((socket) => this.accept(socket))
  }

  /**
   * Binds the socket path. A path left by an aggregator that died is taken over; one where an
   * aggregator answers is an error: two aggregators would each hold half the totals.
   */
  async listen(socketPath: string): Promise<void> {
    try {
      await listenOn(this.server, socketPath)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || process.platform === 'win32')
        throw error
      if (await answers(socketPath)) {
        throw new Error(
          `another routemeter aggregator is listening on ${socketPath}; scrape that one, or give this one another port or socket`,
        )
      }
      if (existsSync(socketPath)) unlinkSync(socketPath)
      await listenOn(this.server, socketPath)
    }
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: Socket): void {
    this.connections++
    this.sockets.add(socket)
    socket.setEncoding('utf8')
    const sources = new Set<string>()
    const reader = new LineReader(
      MAX_MESSAGE_BYTES,
      (line) => {
        if (line === '') return
        const message = parseMessage(line)
        if (typeof message === 'string') {
          this.refuse(message)
          return
        }
        this.messages++
        sources.add(String(message.src))
        this.aggregate.apply(message)
      },
      () => {
        this.refuse(`a worker message over ${MAX_MESSAGE_BYTES} bytes; the connection is closed`)
        socket.destroy()
      },
    )
    socket.on('data', (chunk: string) => reader.push(chunk))
    // A worker that went away (exit, crash, kill): its gauges go with it; its counts stay.
    socket.on('close', () => {
      this.sockets.delete(socket)
      for (const src of sources) this.aggregate.sourceGone(src)
    })
    socket.on('error', () => {})
  }
}

function parseMessage(line: string): ChangeMessage | string {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return 'a worker message that is not JSON'
  }
  const message = value as Partial<ChangeMessage> | null
  if (
    message === null ||
    typeof message !== 'object' ||
    !Array.isArray(message.s) ||
    typeof message.src !== 'string'
  )
    return 'a worker message without src and s'
  if (message.f !== undefined && !Array.isArray(message.f))
    return 'a worker message whose f is not a list'
  return message as ChangeMessage
}

function listenOn(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => reject(error)
    server.once('error', failed)
    server.listen(socketPath, () => {
      server.off('error', failed)
      resolve()
    })
  })
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socketPath)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
}
