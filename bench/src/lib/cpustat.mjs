// Whole-machine CPU time from /proc/stat, to tell when something outside the benchmark ran
// during a burst (this machine is shared): busy time of all cores minus the CPU time of the
// benchmark's own processes is time taken by others.
import { readFileSync } from 'node:fs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** Milliseconds all cores spent in user, nice and system mode (interrupts excluded). */
export function busyMs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
    const [user, nice, system] = line.trim().split(/\s+/).slice(1).map(Number)
    return (user + nice + system) * TICK_MS
  } catch {
    return undefined
  }
}
