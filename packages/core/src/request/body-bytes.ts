import { Buffer } from 'node:buffer'
import { ServerResponse } from 'node:http'
import type { RawResponse } from './response-end'

/**
 * Counts the body bytes of one request and its response (`bodySizes`), from Node's own objects
 * so every adapter gets it: the request's bytes as the HTTP parser (or the HTTP/2 stream) pushes
 * them into the request stream, the response's as they are written to it. Chunked and streamed
 * bodies count, chunk framing and headers do not; a compressing middleware's output is what is
 * counted, since it writes through the response.
 *
 * The request stream is not read, resumed or put in flowing mode: `push` is what the parser
 * calls, whoever reads the stream later (body parsers see the same data). The functions below
 * are shared by all requests (`this` is the stream); what each request holds lives on it under
 * symbols, set only when the option is on.
 */

const kReceived = Symbol('routemeter.bodyBytesReceived')
const kPush = Symbol('routemeter.push')
const kSent = Symbol('routemeter.bodyBytesSent')
const kWrite = Symbol('routemeter.write')
const kEnd = Symbol('routemeter.end')

type Chunk = string | Uint8Array | null | undefined

interface CountedRequest {
  readableLength?: number
  push(chunk: Chunk, encoding?: BufferEncoding): boolean
  [kReceived]?: number
  [kPush]?: (chunk: Chunk, encoding?: BufferEncoding) => boolean
}

interface CountedResponse {
  readonly req?: unknown
  readonly writableEnded: boolean
  /** Node's HTTP/1 response: false for HEAD, 204 and 304 answers, whose body is dropped. */
  readonly _hasBody?: boolean
  readonly stream?: { readonly headRequest?: boolean }
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean
  end(chunk?: unknown, encoding?: unknown, callback?: unknown): unknown
  [kSent]?: number
  [kWrite]?: CountedResponse['write']
  [kEnd]?: CountedResponse['end']
}

/** Starts counting the body bytes of `res` and of its request. Called once per request. */
export function countBodyBytes(res: RawResponse): void {
  const response = res as unknown as CountedResponse
  if (response[kSent] !== undefined) return
  response[kSent] = 0
  response[kWrite] = response.write
  response.write = countingWrite
  // HTTP/2's `end(chunk)` writes the chunk through `write`; HTTP/1's does not.
  if (res instanceof ServerResponse) {
    response[kEnd] = response.end
    response.end = countingEnd
  }
  const request = response.req as CountedRequest | undefined
  if (request === undefined || request === null || typeof request.push !== 'function') return
  // Bytes the parser pushed before the adapter ran (same packet as the head) are still buffered.
  request[kReceived] = typeof request.readableLength === 'number' ? request.readableLength : 0
  request[kPush] = request.push
  request.push = countingPush
}

/** Body bytes received for the request of `res`; `undefined` when they were not counted. */
export function bodyBytesReceived(res: RawResponse): number | undefined {
  return ((res as unknown as CountedResponse).req as CountedRequest | undefined)?.[kReceived]
}

/** Body bytes written to `res`; `undefined` when they were not counted. */
export function bodyBytesSent(res: RawResponse): number | undefined {
  return (res as unknown as CountedResponse)[kSent]
}

function countingPush(this: CountedRequest, chunk: Chunk, encoding?: BufferEncoding): boolean {
  if (chunk !== null && chunk !== undefined) {
    this[kReceived] = (this[kReceived] ?? 0) + byteLength(chunk, encoding)
  }
  return (this[kPush] as CountedRequest['push']).call(this, chunk, encoding)
}

function countingWrite(
  this: CountedResponse,
  chunk: unknown,
  encoding?: unknown,
  callback?: unknown,
): boolean {
  const open = !this.writableEnded
  const written = (this[kWrite] as CountedResponse['write']).call(this, chunk, encoding, callback)
  if (open) countSent(this, chunk, encoding)
  return written
}

function countingEnd(
  this: CountedResponse,
  chunk?: unknown,
  encoding?: unknown,
  callback?: unknown,
): unknown {
  const open = !this.writableEnded
  const result = (this[kEnd] as CountedResponse['end']).call(this, chunk, encoding, callback)
  if (open && typeof chunk !== 'function') countSent(this, chunk, encoding)
  return result
}

/** Adds a written chunk, unless Node drops the body (HEAD, 204, 304). */
function countSent(response: CountedResponse, chunk: unknown, encoding: unknown): void {
  if (chunk === null || chunk === undefined) return
  if (response._hasBody === false || response.stream?.headRequest === true) return
  // Not `instanceof Uint8Array`: under a test runner's sandbox (Jest's jsdom) the global
  // Uint8Array is another realm's, and Node's Buffers are not instances of it.
  if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) return
  response[kSent] = (response[kSent] ?? 0) + byteLength(chunk as string | Uint8Array, encoding)
}

function byteLength(chunk: string | Uint8Array, encoding: unknown): number {
  if (typeof chunk !== 'string') return chunk.byteLength
  return Buffer.byteLength(
    chunk,
    typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8',
  )
}
