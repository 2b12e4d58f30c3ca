import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common'
import { AdminController, ApiKeyGuard } from './admin'
import { HealthController } from './health'
import { ArchivedReportFilter, ReportsController, TimeoutInterceptor } from './reports'
import { UsersController, UsersService } from './users'

const CLOSE_METRICS = Symbol('close metrics')

/**
 * Flushes and closes the Express middleware's meter when the app closes (`app.close()`, or a
 * signal with `enableShutdownHooks()`). Nest runs this after the HTTP server has closed, so it
 * sends every request served. Not needed on Fastify: the plugin's onClose hook does it.
 */
@Injectable()
class MetricsShutdown implements OnApplicationShutdown {
  constructor(@Inject(CLOSE_METRICS) private readonly close: () => Promise<void>) {}

  onApplicationShutdown(): Promise<void> {
    return this.close()
  }
}

@Module({
  controllers: [UsersController, AdminController, ReportsController, HealthController],
  providers: [UsersService, ApiKeyGuard, ArchivedReportFilter, TimeoutInterceptor],
})
export class AppModule {
  /** `closeMetrics`: what flushes the metrics on shutdown, when the platform does not. */
  static forRoot(closeMetrics?: () => Promise<void>): DynamicModule {
    if (closeMetrics === undefined) return { module: AppModule }
    return {
      module: AppModule,
      providers: [{ provide: CLOSE_METRICS, useValue: closeMetrics }, MetricsShutdown],
    }
  }
}
