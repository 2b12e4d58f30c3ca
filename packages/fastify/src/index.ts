import './augmentation'
import { routemeter } from './plugin'

export type { ExecutionTimers, Meter, Stopper } from '@routemeter/core'
export { CLIENT_CLOSED_REQUEST, RoutemeterOptionError } from '@routemeter/core'
export type { RoutemeterOptions } from './options'
export { routemeter, SUPPORTED_FASTIFY } from './plugin'
export type { RouteMetricsSetting, RoutemeterRouteConfig } from './route-config'

export default routemeter
