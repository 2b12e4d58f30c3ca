// Reading the UDP sink and the servers' meter stats around a measured window, and the record
// every measurement keeps of it.
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

/**
 * What every measured burst or window records of one server: its `begin`/`stop` answers, what
 * the loader saw (`load`) and what the sink got (`sunk`) over it.
 */
export function measuredFields(begin, end, load, sunk) {
  return {
    served: end.served,
    totalServed: end.totalServed,
    wallMs: end.wallMs,
    clientErrors: load.errors + load.timeouts,
    non2xx: load.non2xx,
    clientRequests: load.requests,
    packets: sunk.packets,
    bytes: sunk.bytes,
    lines: sunk.lines,
    badLines: sunk.badLines,
    counterSum: sunk.counterSum,
    samples: sunk.samples,
    maxDatagram: sunk.maxDatagram,
    rss: end.rss,
    heapUsed: end.heapUsed,
    linesSent: delta(end.stats, begin.stats, 'lines'),
    datagramsSent: delta(end.stats, begin.stats, 'datagrams'),
    droppedLines: delta(end.stats, begin.stats, 'droppedLines'),
    sendErrors: delta(end.stats, begin.stats, 'sendErrors'),
    check: end.check,
  }
}
