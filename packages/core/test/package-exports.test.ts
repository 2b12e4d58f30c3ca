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
