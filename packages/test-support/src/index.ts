export { type Deferred, deferred } from './deferred'
export { sampleValue } from './exposition'
export { captureFaultWarnings, FaultWarnings } from './fault-warnings'
export { requestClaimingSchemes, SCHEME_CLAIMS } from './h2-claims'
export { garbageCollector, type SettledMemory, settledMemory } from './heap'
export {
  type HttpLoadOptions,
  type HttpLoadResult,
  type LoadRequest,
  type LoadResponse,
  sendHttpLoad,
} from './http-load'
export { type ProcessFaultWatch, watchProcessFaults } from './process-faults'
export { type PromtoolResult, prometheusBinDir, promtoolCheckMetrics } from './promtool'
export { openRawConnection, type RawConnection, rawRequest } from './raw-http'
