import { createParamDecorator, type ExecutionContext } from '@nestjs/common'
import type { ExecutionTimers } from '@routemeter/core'

/**
 * `@Metrics() metrics`: the request's execution timers, tied to its route and method. Both
 * adapters put them on the request Nest hands in (`req.metrics` on Express, `request.metrics`
 * on Fastify), so one decorator serves both platforms.
 */
export const Metrics = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ExecutionTimers =>
    context.switchToHttp().getRequest<{ metrics: ExecutionTimers }>().metrics,
)
