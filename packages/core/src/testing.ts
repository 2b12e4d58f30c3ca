export { CaptureMeter, createCaptureMeter } from './testing/capture-meter'
export { type ReceiverOptions, StatsdReceiver, startStatsdReceiver } from './testing/receiver'
export { StatsdDaemon, type StatsdDaemonOptions, startStatsdDaemon } from './testing/statsd-daemon'
export { type ParsedSample, parseStatsdLine, StatsdLines } from './testing/statsd-lines'
