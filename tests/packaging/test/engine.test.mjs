/**
 * `@routemeter/core/testing` and `@routemeter/core/adapter` share the main entry's engine (one
 * chunk, not a copy of their own): an error they throw is `instanceof` the class a user imports
 * from `@routemeter/core`, in ESM and in CommonJS. Run against the built package, as a user's tests would load it.
 */
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { RoutemeterOptionError } from '@routemeter/core'
import { setUpAdapter } from '@routemeter/core/adapter'
import { createCaptureMeter } from '@routemeter/core/testing'
import { describe, expect, it } from 'vitest'

describe('@routemeter/core/testing, /adapter and @routemeter/core share one engine', () => {
  it('ESM: an invalid option from /testing or /adapter throws the main entry’s RoutemeterOptionError', () => {
    expect(() => createCaptureMeter({ port: 0 })).toThrow(RoutemeterOptionError)
    expect(() => setUpAdapter({ port: 0 })).toThrow(RoutemeterOptionError)
  })

  it('CommonJS: the same through require()', () => {
    const require = createRequire(import.meta.url)
    const core = require('@routemeter/core')
    const testing = require('@routemeter/core/testing')
    const adapter = require('@routemeter/core/adapter')
    expect(() => testing.createCaptureMeter({ port: 0 })).toThrow(core.RoutemeterOptionError)
    expect(() => adapter.setUpAdapter({ port: 0 })).toThrow(core.RoutemeterOptionError)
  })

  it('CommonJS: the shared chunk keeps class names and native syntax (no sucrase helpers)', async () => {
    const require = createRequire(import.meta.url)
    const core = require('@routemeter/core')
    let thrown
    try {
      core.createMeter({ port: 0 })
    } catch (error) {
      thrown = error
    }
    expect(thrown?.constructor.name).toBe('RoutemeterOptionError')
    const dist = path.dirname(require.resolve('@routemeter/core'))
    const chunks = (await readdir(dist)).filter((file) => file.endsWith('.cjs'))
    for (const file of chunks) {
      const code = await readFile(path.join(dist, file), 'utf8')
      expect(code, file).not.toMatch(/_optionalChain\(|_nullishCoalesce\(|\(_class\d* = class/)
    }
  })
})
