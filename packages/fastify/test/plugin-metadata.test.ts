import { readFileSync } from 'node:fs'
import path from 'node:path'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import routemeter, { SUPPORTED_FASTIFY } from '../src/index'

interface PluginMeta {
  name: string
  fastify: string
}

const meta = (routemeter as unknown as Record<symbol, PluginMeta>)[
  Symbol.for('plugin-meta')
] as PluginMeta

describe('fastify-plugin metadata', () => {
  it('names the plugin and states the Fastify range, which matches the peer dependency', () => {
    expect(meta).toMatchObject({ name: '@routemeter/fastify', fastify: '5.x' })
    expect(SUPPORTED_FASTIFY).toBe(meta.fastify)
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../package.json'), 'utf8'))
    expect(manifest.peerDependencies.fastify).toBe('^5.0.0')
  })

  it('the installed Fastify is inside that range, and the app knows the plugin by name', async () => {
    const app = Fastify()
    expect(app.version.split('.')[0]).toBe('5')
    await app.register(routemeter, { enabled: false })
    await app.ready()
    expect(app.hasPlugin('@routemeter/fastify')).toBe(true)
    await app.close()
  })

  it('registering it twice in one app fails loudly instead of counting twice', async () => {
    const app = Fastify()
    await app.register(routemeter, { enabled: false })
    await expect(app.register(routemeter, { enabled: false })).rejects.toThrow(
      /routemeter: @routemeter\/fastify is registered twice/,
    )
    await app.close()
  })
})
