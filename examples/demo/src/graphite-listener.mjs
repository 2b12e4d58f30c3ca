import net from 'node:net'
import { LOOPBACK } from './ports.mjs'

/**
 * A Graphite plaintext receiver (`name value timestamp\n`), standing in for carbon. The statsd
 * daemon's graphite backend opens one connection per flush and ends it, so every connection
 * is one complete flush; `onFlush` gets its parsed lines.
 */
export function startGraphiteListener(onFlush) {
  const sockets = new Set()
  let flushes = 0
  const waiters = []
  const server = net.createServer((socket) => {
    sockets.add(socket)
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => {
      text += chunk
    })
    socket.on('end', () => {
      onFlush(parseGraphiteLines(text))
      flushes++
      for (const waiter of waiters.splice(0)) waiter()
    })
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot open the Graphite listener on ${LOOPBACK}: ${error.message}`)),
    )
    server.listen(0, LOOPBACK, () => {
      resolve({
        port: server.address().port,
        get flushes() {
          return flushes
        },
        /** Resolves after `count` more complete flushes have arrived, or after `timeoutMs`. */
        async waitForFlushes(count, timeoutMs) {
          const target = flushes + count
          const deadline = Date.now() + timeoutMs
          while (flushes < target && Date.now() < deadline) {
            await new Promise((resume) => {
              const timer = setTimeout(resume, deadline - Date.now())
              waiters.push(() => {
                clearTimeout(timer)
                resume()
              })
            })
          }
          return flushes >= target
        },
        close() {
          for (const socket of sockets) socket.destroy()
          return new Promise((done) => server.close(() => done()))
        },
      })
    })
  })
}

/** `stats.timers.a.b.upper_90;route=-x 12.5 1700000000` → `{ name, value }`. */
export function parseGraphiteLines(text) {
  const lines = []
  for (const line of text.split('\n')) {
    const first = line.indexOf(' ')
    const last = line.lastIndexOf(' ')
    if (first <= 0 || last === first) continue
    const value = Number(line.slice(first + 1, last))
    if (Number.isFinite(value)) lines.push({ name: line.slice(0, first), value })
  }
  return lines
}
