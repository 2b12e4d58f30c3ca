export { CaptureMeter, createCaptureMeter } from './testing/capture-meter'
export { statsdDaemonKey } from './testing/daemon-key'
export { captureFaultWarnings, FaultWarnings } from './testing/fault-warnings'
export { garbageCollector, type SettledMemory, settledMemory } from './testing/heap'
export {
  type HttpLoadOptions,
  type HttpLoadResult,
  type LoadRequest,
  type LoadResponse,
  sendHttpLoad,
} from './testing/http-load'
export { INVALID_ADAPTER_OPTIONS } from './testing/invalid-options'
export { type ProcessFaultWatch, watchProcessFaults } from './testing/process-faults'
export { openRawConnection, type RawConnection, rawRequest } from './testing/raw-http'
export { type ReceiverOptions, StatsdReceiver, startStatsdReceiver } from './testing/receiver'
export { StatsdDaemon, type StatsdDaemonOptions, startStatsdDaemon } from './testing/statsd-daemon'
export { type ParsedSample, parseStatsdLine, StatsdLines } from './testing/statsd-lines'
export { type Deferred, deferred, waitUntil } from './testing/wait'
export { unixDgramUnavailable } from './transport/unix-dgram'
