import { type INestApplication, type LogLevel, VersioningType } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import { routemeter as expressRoutemeter } from '@routemeter/express'
import { routemeter as fastifyRoutemeter, type RoutemeterOptions } from '@routemeter/fastify'
import { AppModule } from './app.module'

export type Platform = 'express' | 'fastify'

export interface AppOptions {
  /**
   * Metrics options; without them, routemeter reads the `STATSD_*` environment variables. The
   * Fastify plugin's type, the narrower of the two (`prefix: ''` rather than `null` for none),
   * without `labels`, whose functions are typed by each platform's own request object.
   */
  readonly metrics?: Omit<RoutemeterOptions, 'labels'>
  /** Nest's log levels, or `false` for none. */
  readonly logger?: false | LogLevel[]
}

/** Paths routemeter does not measure (health checks would drown the real traffic). */
const NOT_MEASURED = ['/health']

/**
 * The same Nest app on either platform, measured by the routemeter adapter of that platform.
 * Metrics are set up before `setGlobalPrefix`/versioning and before Nest registers the routes
 * (in `init()`/`listen()`), so they see every request.
 */
export async function createApp(
  platform: Platform,
  { metrics = {}, logger = ['error', 'warn'] }: AppOptions = {},
): Promise<INestApplication> {
  const options = { exclude: NOT_MEASURED, ...metrics }
  let app: INestApplication
  if (platform === 'fastify') {
    const fastifyApp = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(),
      new FastifyAdapter(),
      { logger },
    )
    // The plugin's onClose hook flushes when Nest closes the Fastify instance.
    await fastifyApp.register(sameFastify(fastifyRoutemeter), options)
    app = fastifyApp
  } else {
    const middleware = expressRoutemeter(options)
    const expressApp = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(() => middleware.close()),
      { logger },
    )
    expressApp.use(middleware)
    app = expressApp
  }
  app.setGlobalPrefix('api', { exclude: ['health'] })
  app.enableVersioning({ type: VersioningType.URI })
  return app
}

type NestFastifyPlugin = Parameters<NestFastifyApplication['register']>[0]

/**
 * Nest pins its own copy of Fastify (5.11.3); the workspace's @routemeter/fastify is typed
 * against the repo's (5.12), and two copies of Fastify's types do not match. An app adds
 * `fastify` at the version Nest pins, so npm keeps one copy, and writes
 * `await app.register(routemeter, options)` as is; in this monorepo that cannot be had.
 */
function sameFastify(plugin: typeof fastifyRoutemeter): NestFastifyPlugin {
  return plugin as unknown as NestFastifyPlugin
}
