import type { AdapterOptions } from '@routemeter/core/adapter'
import type { FastifyRequest } from 'fastify'

/**
 * Options of `app.register(routemeter, options)`: every core meter option, plus `meter` (record
 * into an existing meter, which the plugin flushes on close but never closes) and `exclude`;
 * `labels` functions are given the `FastifyRequest`.
 */
export interface RoutemeterOptions extends Omit<AdapterOptions<FastifyRequest>, 'prefix'> {
  /**
   * Prefix of every metric name (not a route prefix: the plugin is not encapsulated, so Fastify's
   * own `prefix` register option has no meaning for it). Env `STATSD_PREFIX`; default
   * `applications.<service>.<environment>` when both are given. `''` means no prefix at all,
   * whatever the environment says: core's `null` cannot be typed here, because `register` types
   * `prefix` as Fastify's `string`.
   */
  prefix?: string
}

/** Options Fastify's `register` accepts for any plugin and ignores for non-encapsulated ones. */
const REGISTER_ONLY = new Set(['logLevel', 'logSerializers'])

/**
 * The options for core: without Fastify's own register options (core would reject them as
 * unknown). Core logs through `app.log` when the user chose no logger and `app.log` prints.
 */
export function adapterOptions(options: RoutemeterOptions | undefined): AdapterOptions {
  if (options === undefined) return {}
  // Anything but an object goes to core as is, to be rejected there with a proper message.
  if (typeof options !== 'object' || options === null) return options
  const kept: Record<string, unknown> = {}
  for (const key of Object.keys(options)) {
    if (!REGISTER_ONLY.has(key)) kept[key] = (options as Record<string, unknown>)[key]
  }
  return kept as AdapterOptions
}
