export { CLIENT_CLOSED_REQUEST, type Meter, RoutemeterOptionError } from '@routemeter/core'
export {
  type RoutemeterEnv,
  type RoutemeterMiddleware,
  type RoutemeterOptions,
  routemeter,
} from './middleware'
export type { RequestMetrics } from './request-metrics'
