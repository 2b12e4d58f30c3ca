import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

// The built package, loaded by Node itself through package.json "exports" (a package can import
// itself by name), once as ESM and once as CommonJS. Run after `pnpm build`.
const packageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

const PROBE = `
  const names = Object.keys(pkg).sort()
  const mw = pkg.routemeter({ enabled: false })
  let optionError = ''
  try { pkg.routemeter({ port: -1 }) } catch (error) { optionError = error.constructor.name + ':' + (error instanceof pkg.RoutemeterOptionError) }
  console.log(JSON.stringify({
    names,
    middleware: typeof mw + '/' + mw.length + '/' + mw.name,
    meter: typeof mw.meter.route,
    close: typeof mw.close,
    clientClosed: pkg.CLIENT_CLOSED_REQUEST,
    optionError,
  }))
`

function run(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8' }))
}

const EXPECTED = {
  names: ['CLIENT_CLOSED_REQUEST', 'RoutemeterOptionError', 'routemeter'],
  middleware: 'function/2/routemeterMiddleware',
  meter: 'function',
  close: 'function',
  clientClosed: 499,
  optionError: 'RoutemeterOptionError:true',
}

describe('the built package', () => {
  beforeAll(() => {
    if (!existsSync(path.join(packageDir, 'dist/index.cjs'))) {
      throw new Error('dist/ is missing: run `pnpm --filter @routemeter/hono build` first')
    }
  })

  it('imports as ESM with the documented exports', () => {
    const code = `import * as pkg from '@routemeter/hono'\n${PROBE}`
    expect(run(['--input-type=module', '-e', code])).toEqual(EXPECTED)
  })

  it('requires as CommonJS with the same exports', () => {
    const code = `const pkg = require('@routemeter/hono')\n${PROBE}`
    expect(run(['--input-type=commonjs', '-e', code])).toEqual(EXPECTED)
  })

  it('ships type declarations for both, with the c.var.metrics Env', () => {
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'))
    for (const condition of ['import', 'require']) {
      const types = path.join(packageDir, manifest.exports['.'][condition].types)
      expect(existsSync(types)).toBe(true)
      const text = readFileSync(types, 'utf8')
      expect(text).toContain('declare function routemeter')
      expect(text).toMatch(/interface RoutemeterEnv[\s\S]*Variables[\s\S]*metrics: RequestMetrics/)
    }
  })
})
