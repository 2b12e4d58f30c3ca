import http from 'node:http'

/** One request over a fresh connection; resolves with the status once the body is read. */
export function send(baseUrl, { method, path, headers = {}, body }) {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(path, baseUrl),
      {
        method,
        agent: false,
        headers:
          payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode))
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}
