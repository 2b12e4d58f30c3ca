export { abortsSuite } from './aborts'
export * from './adapter'
export { countedBySeries, seriesKey } from './capture-counts'
export { cardinalitySuite } from './cardinality'
export { datagramSizeSuite } from './datagram-size'
export { excludeSuite } from './exclude'
export { executionTimersSuite } from './execution-timers'
export {
  defaultErrorReply,
  escapeRegExp,
  withAppLogger,
} from './factory-parts'
export { HOSTILE, HOSTILE_MOUNT, HUGE, LONG_REGEXP_LABEL, SEPARATORS } from './hostile'
export { injectionSuite } from './injection'
export { optionsSuite } from './options'
export { type MiddlewarePackage, packageExportsSuite } from './package-exports'
export { plainServerLifecycle, plainServerOptions, startPlainServer } from './plain-server'
export { requestCountsSuite } from './requests'
export { shutdownSuite } from './shutdown'
export { stalledPeerSuite } from './stalled-peer'
export { statsdAbsentSuite } from './statsd-absent'
export { statsdDaemonSuite } from './statsd-daemon'
export { loadFactor, type SuiteContext, type TestApi } from './suite'
export { tcpRestartSuite } from './tcp-restart'
