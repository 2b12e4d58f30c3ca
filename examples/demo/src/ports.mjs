import dgram from 'node:dgram'
import net from 'node:net'

export const LOOPBACK = '127.0.0.1'

/**
 * Claims a loopback port (`0` = any free one) and releases it, so a daemon can bind it next.
 * A port that is taken fails here, with a message that names it, instead of deep inside a child.
 */
export function claimPort(protocol, port = 0) {
  return new Promise((resolve, reject) => {
    const fail = (error) =>
      reject(
        new Error(
          `cannot use ${protocol.toUpperCase()} port ${port} on ${LOOPBACK}: ${error.code ?? error.message}` +
            (error.code === 'EADDRINUSE' ? ' (another process has it; pick another port)' : ''),
        ),
      )
    if (protocol === 'udp') {
      const socket = dgram.createSocket('udp4')
      socket.once('error', fail)
      socket.bind(port, LOOPBACK, () => {
        const bound = socket.address().port
        socket.close(() => resolve(bound))
      })
    } else {
      const server = net.createServer()
      server.once('error', fail)
      server.listen(port, LOOPBACK, () => {
        const bound = server.address().port
        server.close(() => resolve(bound))
      })
    }
  })
}
