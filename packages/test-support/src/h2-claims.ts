import type { ClientHttp2Session } from 'node:http2'

/**
 * `:scheme` values an h2c client may claim: `https`, and 199 made-up words. Where the scheme is
 * read from the connection, every one of them is recorded as `http`, in one series.
 */
export const SCHEME_CLAIMS: readonly string[] = [
  'https',
  ...Array.from({ length: 199 }, (_, i) => `x-evil-${i}`),
]

/** Requests `path` once per claimed `:scheme`, one after another, each read to its end. */
export async function requestClaimingSchemes(
  session: ClientHttp2Session,
  path: string,
  claims: readonly string[] = SCHEME_CLAIMS,
): Promise<void> {
  for (const claim of claims) {
    const stream = session.request({ ':path': path, ':scheme': claim })
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject)
      stream.resume()
      stream.on('end', () => resolve())
    })
  }
}
