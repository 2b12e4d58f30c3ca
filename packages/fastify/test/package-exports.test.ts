import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

// Runs in child processes against the built package, loaded by name the way users load it.
const packageDir = path.resolve(__dirname, '..')
const builtEntry = path.join(packageDir, 'dist', 'index.cjs')

function newestSource(): number {
  let newest = 0
  for (const file of readdirSync(path.join(packageDir, 'src'))) {
    newest = Math.max(newest, statSync(path.join(packageDir, 'src', file)).mtimeMs)
  }
  return newest
}

function builtAt(): number {
  try {
    return statSync(builtEntry).mtimeMs
  } catch {
    return 0
  }
}

function run(code: string, type: 'module' | 'commonjs'): unknown {
  const args = type === 'module' ? ['--input-type=module', '-e', code] : ['-e', code]
  return JSON.parse(
    execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8' }).trim(),
  )
}

// Registers the plugin by the loaded value and checks one request reaches an in-memory meter.
const CHECK = `
  const capture = createCaptureMeter({})
  const app = Fastify()
  app.register(plugin, { meter: capture.meter })
  app.get('/users/:id', async (request) => { request.metrics.timer('db')(); return 'ok' })
  app.inject('/users/1')
    .then(() => app.close())
    .then(() => console.log(JSON.stringify({
      plugin: typeof plugin,
      name: (plugin.default ?? plugin)[Symbol.for('plugin-meta')].name,
      fastify: (plugin.default ?? plugin)[Symbol.for('plugin-meta')].fastify,
      sameAsNamed: (plugin.default ?? plugin) === named,
      constants: [CLIENT_CLOSED_REQUEST, SUPPORTED_FASTIFY],
      error: typeof RoutemeterOptionError,
      request: capture.lines().find((line) => line.startsWith('http.server.requests')),
      timer: capture.timings('db', { route: '/users/:id' }).length,
    })))
`

describe('the built package loads as ESM and as CommonJS', () => {
  beforeAll(() => {
    // Check what users get: build first when the sources are newer than the build.
    if (builtAt() < newestSource()) {
      execFileSync(path.join(packageDir, 'node_modules', '.bin', 'tsup'), {
        cwd: packageDir,
        stdio: 'ignore',
      })
    }
  }, 120_000)

  it('import: default export and named `routemeter`', () => {
    const out = run(
      `import plugin, { routemeter as named, CLIENT_CLOSED_REQUEST, SUPPORTED_FASTIFY, RoutemeterOptionError } from '@routemeter/fastify'
       import Fastify from 'fastify'
       import { createCaptureMeter } from '@routemeter/core/testing'
       ${CHECK}`,
      'module',
    )
    expect(out).toEqual({
      plugin: 'function',
      name: '@routemeter/fastify',
      fastify: '5.x',
      sameAsNamed: true,
      constants: [499, '5.x'],
      error: 'function',
      request:
        'http.server.requests:1|c|#route:/users/:id,method:GET,status_code:200,status_class:2xx',
      timer: 1,
    })
  })

  it('require: the module object registers as is (Fastify takes its default) and names the plugin', () => {
    const out = run(
      `const plugin = require('@routemeter/fastify')
       const { routemeter: named, CLIENT_CLOSED_REQUEST, SUPPORTED_FASTIFY, RoutemeterOptionError } = plugin
       const Fastify = require('fastify')
       const { createCaptureMeter } = require('@routemeter/core/testing')
       ${CHECK}`,
      'commonjs',
    )
    expect(out).toEqual({
      plugin: 'object',
      name: '@routemeter/fastify',
      fastify: '5.x',
      sameAsNamed: true,
      constants: [499, '5.x'],
      error: 'function',
      request:
        'http.server.requests:1|c|#route:/users/:id,method:GET,status_code:200,status_class:2xx',
      timer: 1,
    })
  })

  it('ships type declarations, with the Fastify augmentation, for both', () => {
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'))
    for (const condition of ['import', 'require']) {
      const target = manifest.exports['.'][condition]
      const types = readFileSync(path.join(packageDir, target.types), 'utf8')
      expect(types).toContain("declare module 'fastify'")
      expect(types).toContain('metrics?: RouteMetricsSetting')
      expect(statSync(path.join(packageDir, target.default)).size).toBeGreaterThan(0)
    }
  })
})
