import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Runs in a child process against the built package, the way users load it.
const packageDir = path.resolve(__dirname, '..')

function run(code: string, type: 'module' | 'commonjs'): string {
  const args = type === 'module' ? ['--input-type=module', '-e', code] : ['-e', code]
  return execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8' }).trim()
}

const CHECK = `
  const meter = core.createMeter({ enabled: false })
  const capture = testing.createCaptureMeter({})
  capture.meter.increment('x')
  capture.meter.flush().then(() => console.log(JSON.stringify({
    createMeter: typeof core.createMeter,
    error: new core.RoutemeterOptionError('port', 0, 'x').name,
    disabled: meter.stats().enabled,
    lines: capture.lines(),
    daemon: typeof testing.startStatsdDaemon,
  })))
`
const EXPECTED = {
  createMeter: 'function',
  error: 'RoutemeterOptionError',
  disabled: false,
  lines: ['x:1|c'],
  daemon: 'function',
}

describe('the built package loads as ESM and as CommonJS', () => {
  it('import', () => {
    const out = run(
      `import * as core from '@routemeter/core'; import * as testing from '@routemeter/core/testing'; ${CHECK}`,
      'module',
    )
    expect(JSON.parse(out)).toEqual(EXPECTED)
  })

  it('require', () => {
    const out = run(
      `const core = require('@routemeter/core'); const testing = require('@routemeter/core/testing'); ${CHECK}`,
      'commonjs',
    )
    expect(JSON.parse(out)).toEqual(EXPECTED)
  })

  it('ships type declarations for both', async () => {
    const { readFile } = await import('node:fs/promises')
    const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
    for (const entry of ['.', './testing']) {
      for (const condition of ['import', 'require']) {
        const target = manifest.exports[entry][condition]
        await expect(readFile(path.join(packageDir, target.types), 'utf8')).resolves.toContain(
          'export',
        )
        await expect(readFile(path.join(packageDir, target.default), 'utf8')).resolves.toBeTruthy()
      }
    }
  })
})

describe('the type declarations promise only what the code exports', () => {
  // A class exported with `export type` used to reach the bundled .d.ts as a value
  // (`import { AggregatingMeter } from '@routemeter/core'` type-checked, then failed at runtime).
  it('every value the declarations of both entries (ESM and CJS) export exists at runtime', async () => {
    const ts = (await import('typescript')).default
    const { createRequire } = await import('node:module')
    const { readFile } = await import('node:fs/promises')
    const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
    const files: Array<{ entry: string; file: string }> = []
    for (const entry of ['.', './testing'])
      for (const condition of ['import', 'require'])
        files.push({ entry, file: path.join(packageDir, manifest.exports[entry][condition].types) })
    const program = ts.createProgram(
      files.map((f) => f.file),
      { noEmit: true, skipLibCheck: true, types: [] },
    )
    const checker = program.getTypeChecker()
    const load = createRequire(path.join(packageDir, 'package.json'))
    for (const { entry, file } of files) {
      const source = program.getSourceFile(file)
      const moduleSymbol = source && checker.getSymbolAtLocation(source)
      expect(moduleSymbol).toBeDefined()
      const declaredValues: string[] = []
      for (const symbol of checker.getExportsOfModule(moduleSymbol as never)) {
        const isTypeOnly = symbol.declarations?.some(
          (d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly),
        )
        const target =
          symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
        if (!isTypeOnly && target.flags & ts.SymbolFlags.Value) declaredValues.push(symbol.name)
      }
      const runtime = load(entry === '.' ? '@routemeter/core' : '@routemeter/core/testing')
      const missing = declaredValues.filter((name) => !(name in runtime))
      expect({ file: path.basename(file), missing }).toEqual({
        file: path.basename(file),
        missing: [],
      })
      expect(declaredValues.length).toBeGreaterThan(5)
    }
  })
})
