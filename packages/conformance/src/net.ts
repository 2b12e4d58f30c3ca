import dgram from 'node:dgram'
import net from 'node:net'

/** A loopback UDP port nothing listens on (bound, then released). */
export async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

/** A loopback TCP port nothing listens on (connections are refused). */
export async function closedTcpPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Nothing is sent on the interval during a test: only explicit flushes and close send. */
export const NO_INTERVAL = 3_600_000
