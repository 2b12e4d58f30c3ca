// Reading the UDP sink and the servers' meter stats around a measured window.
import { sleep } from './stats.mjs'

/** Waits until the sink has seen no new datagram for two polls in a row. */
export async function settleSink(sink, port) {
  let last = await sink.call('snapshot', { port })
  let stable = 0
  for (let i = 0; i < 500 && stable < 2; i++) {
    await sleep(10)
    const now = await sink.call('snapshot', { port })
    stable = now.packets === last.packets ? stable + 1 : 0
    last = now
  }
  return last
}

/** `end[key] - begin[key]` when both are numbers. */
export function delta(end, begin, key) {
  const a = end?.[key]
  const b = begin?.[key]
  return typeof a === 'number' && typeof b === 'number' ? a - b : undefined
}
