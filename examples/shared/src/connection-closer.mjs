/**
 * Keep-alive connections would hold `server.close()` open until they time out. Once shutdown
 * starts, every response still to be sent says `Connection: close`, and connections are
 * closed as soon as they fall idle, so the server closes right after its last in-flight
 * request is answered.
 */
export function connectionCloser(server) {
  const pending = new Set()
  let closing = false
  const closeIdle = () => server.closeIdleConnections()
  server.on('request', (_request, response) => {
    if (closing) response.setHeader('connection', 'close')
    pending.add(response)
    response.once('close', () => {
      pending.delete(response)
      if (closing) setImmediate(closeIdle)
    })
  })
  return function beginClosing() {
    closing = true
    for (const response of pending) {
      if (!response.headersSent) response.setHeader('connection', 'close')
    }
    closeIdle()
  }
}
