import { createRequire } from 'node:module'
import { errorText } from '../config/fault-log'

/** `undefined`: not tried yet; `null`: loads; a string: why it does not. */
let loadFailure: string | null | undefined

/**
 * Why hot-shots' native Unix-datagram module (`unix-dgram`, its optional dependency and the
 * transport behind `protocol: 'uds'`) cannot be loaded here; `undefined` when it can. It is
 * compiled when installed, so a machine without a C/C++ toolchain and Node headers has none:
 * hot-shots would only fail at the first send, so core asks at start-up, the way hot-shots
 * loads it (from hot-shots' own folder).
 */
export function unixDgramUnavailable(): string | undefined {
  if (loadFailure === undefined) {
    try {
      const hotShots = createRequire(import.meta.url).resolve('hot-shots')
      createRequire(hotShots)('unix-dgram')
      loadFailure = null
    } catch (error) {
      loadFailure = errorText(error).split('\n')[0] ?? 'unknown error'
    }
  }
  return loadFailure ?? undefined
}
