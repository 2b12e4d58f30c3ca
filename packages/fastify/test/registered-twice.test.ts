import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { describe, expect, it } from 'vitest'
import routemeter from '../src/index'

// enabled: false: these apps never get as far as sending anything.
const options = { enabled: false }

describe('registering the plugin twice fails with a message naming routemeter and the fix', () => {
  it('twice in the same scope', async () => {
    const app = Fastify()
    await app.register(routemeter, options)
    await expect(app.register(routemeter, options)).rejects.toThrow(
      /routemeter: @routemeter\/fastify is registered twice.*Register it once, at the root/,
    )
    await app.close()
  })

  it('again in a child scope', async () => {
    const app = Fastify()
    await app.register(routemeter, options)
    await expect(
      app.register(async (child) => {
        await child.register(routemeter, options)
      }),
    ).rejects.toThrow(/routemeter: @routemeter\/fastify is registered twice/)
    await app.close()
  })

  it('after another plugin took the `metrics` decorator, that plugin is named as the cause', async () => {
    const app = Fastify()
    await app.register(
      fp(async (instance) => {
        // Another metrics plugin's own object under the same name (typed loosely: ours is a Meter).
        const decorate = instance.decorate as (
          this: typeof instance,
          name: string,
          value: unknown,
        ) => unknown
        decorate.call(instance, 'metrics', {})
      }),
    )
    await expect(app.register(routemeter, options)).rejects.toThrow(
      /routemeter: another plugin has already decorated this Fastify instance with `metrics`/,
    )
    await app.close()
  })
})
