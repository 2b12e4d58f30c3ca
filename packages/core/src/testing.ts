/**
 * `@routemeter/core/testing`: what a user's own tests need to check the metrics their app sends —
 * a meter that captures in memory, a real StatsD receiver and the real Etsy daemon on loopback,
 * the line parser they read with, and a poll for what a test cannot await. The repository's own
 * helpers (load generator, heap readings, raw HTTP, …) live in the private
 * `@routemeter/test-support` package.
 */
export { CaptureMeter, createCaptureMeter } from './testing/capture-meter'
export { type ReceiverOptions, StatsdReceiver, startStatsdReceiver } from './testing/receiver'
export { StatsdDaemon, type StatsdDaemonOptions, startStatsdDaemon } from './testing/statsd-daemon'
export { type ParsedSample, parseStatsdLine, StatsdLines } from './testing/statsd-lines'
export { waitUntil } from './testing/wait'
// A test of `protocol: 'uds'` skips, saying why, where hot-shots' native module is not built.
export { unixDgramUnavailable } from './transport/unix-dgram'
