import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { TestApi } from './suite'

/** What a middleware adapter's built package must offer, as its thin test file states it. */
export interface MiddlewarePackage {
  /** The package's folder (where its package.json is). */
  readonly packageDir: string
  /** Its name, as users import it: `@routemeter/express`. */
  readonly packageName: string
  /** How many parameters the middleware function takes (Express 3, Koa and Hono 2). */
  readonly middlewareArity: number
  /** The typing that gives handlers `metrics`: how the test names it, and what it matches. */
  readonly augmentation: { readonly what: string; readonly declaration: RegExp }
}

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

/**
 * The built package, loaded by Node itself through package.json "exports" (a package can import
 * itself by name), once as ESM and once as CommonJS, and its type declarations for both. Run
 * after the package is built. The same checks for every middleware adapter (`routemeter(options)`
 * returning a middleware with `meter` and `close`).
 */
export function packageExportsSuite({
  test,
  ...pkg
}: { readonly test: TestApi } & MiddlewarePackage): void {
  const { describe, it, expect, beforeAll } = test
  const { packageDir, packageName } = pkg

  function run(args: string[]): unknown {
    return JSON.parse(execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8' }))
  }

  const expected = {
    names: ['CLIENT_CLOSED_REQUEST', 'RoutemeterOptionError', 'routemeter'],
    middleware: `function/${pkg.middlewareArity}/routemeterMiddleware`,
    meter: 'function',
    close: 'function',
    clientClosed: 499,
    optionError: 'RoutemeterOptionError:true',
  }

  describe('the built package', () => {
    beforeAll(() => {
      if (!existsSync(path.join(packageDir, 'dist/index.cjs'))) {
        throw new Error(`dist/ is missing: run \`pnpm --filter ${packageName} build\` first`)
      }
    })

    it('imports as ESM with the documented exports', () => {
      const code = `import * as pkg from '${packageName}'\n${PROBE}`
      expect(run(['--input-type=module', '-e', code])).toEqual(expected)
    })

    it('requires as CommonJS with the same exports', () => {
      const code = `const pkg = require('${packageName}')\n${PROBE}`
      expect(run(['--input-type=commonjs', '-e', code])).toEqual(expected)
    })

    it(`ships type declarations for both, with the ${pkg.augmentation.what}`, () => {
      const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'))
      for (const condition of ['import', 'require']) {
        const types = path.join(packageDir, manifest.exports['.'][condition].types)
        expect(existsSync(types)).toBe(true)
        const text = readFileSync(types, 'utf8')
        expect(text).toContain('declare function routemeter')
        expect(text).toMatch(pkg.augmentation.declaration)
      }
    })
  })
}
