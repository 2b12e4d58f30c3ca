/**
 * A process that ends without `close()` would lose what is aggregated since the last flush.
 * One `beforeExit` listener for all meters flushes them when the event loop runs dry; the
 * sends it starts keep the loop alive just long enough to leave the machine.
 *
 * Those sends make `beforeExit` fire again once they are done, so a meter must send nothing
 * new on a repeat unless the app recorded something in between: otherwise every round would
 * re-send its own gauges and the process would never exit.
 */
interface Flushable {
  flushAtExit(): void
}

const live = new Set<Flushable>()
let listening = false

function flushAll(): void {
  for (const meter of live) meter.flushAtExit()
}

export function flushOnExit(meter: Flushable): void {
  live.add(meter)
  if (!listening) {
    listening = true
    process.on('beforeExit', flushAll)
  }
}

export function forgetOnExit(meter: Flushable): void {
  live.delete(meter)
}
