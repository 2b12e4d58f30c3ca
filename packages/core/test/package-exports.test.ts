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
    adapterSharesEngine: (() => {
      try { adapter.setUpAdapter(null) } catch (error) { return error instanceof core.RoutemeterOptionError }
    })(),
  })))
`
const EXPECTED = {
  createMeter: 'function',
  error: 'RoutemeterOptionError',
  disabled: false,
  lines: ['x:1|c'],
  daemon: 'function',
  adapterSharesEngine: true,
}

describe('the built package loads as ESM and as CommonJS', () => {
  it('import', () => {
    const out = run(
      `import * as core from '@routemeter/core'; import * as adapter from '@routemeter/core/adapter'; import * as testing from '@routemeter/core/testing'; ${CHECK}`,
      'module',
    )
    expect(JSON.parse(out)).toEqual(EXPECTED)
  })

  it('require', () => {
    const out = run(
      `const core = require('@routemeter/core'); const adapter = require('@routemeter/core/adapter'); const testing = require('@routemeter/core/testing'); ${CHECK}`,
      'commonjs',
    )
    expect(JSON.parse(out)).toEqual(EXPECTED)
  })

  it('ships type declarations for both', async () => {
    const { readFile } = await import('node:fs/promises')
    const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
    for (const entry of ['.', './adapter', './testing']) {
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

const ENTRIES = ['.', './adapter', './testing'] as const
type Entry = (typeof ENTRIES)[number]

/**
 * Every name (types included) each entry's declarations export, ESM and CommonJS: a type or value
 * exported by accident fails here. The packaging test checks the runtime lists of the tarball.
 */
const PUBLIC_DECLARATIONS: Record<Entry, readonly string[]> = {
  '.': [
    ...['createMeter', 'Meter', 'MeterOptions', 'MeterStats', 'RequestRecord', 'ExecutionTimers'],
    ...['Stopper', 'RoutemeterOptionError', 'Tags', 'Protocol', 'NamingStyle', 'TimerType'],
    ...['TagFormat', 'LabelFunction', 'RequestLabels', 'MeterLogger'],
    ...['CustomNaming', 'MetricId', 'RequestSeriesInfo', 'RouteKind'],
    ...['UNMATCHED_ROUTE', 'OVERFLOW_ROUTE', 'UNMATCHED_SEGMENT', 'OVERFLOW_SEGMENT'],
    ...['ROOT_SEGMENT', 'routeToPathSegments', 'LABEL_NONE', 'LABEL_ERROR', 'LABEL_OTHER'],
    ...['OTHER_METHOD', 'STANDARD_METHODS', 'CLIENT_CLOSED_REQUEST'],
    ...['PrometheusOptions', 'PrometheusRegistry', 'PrometheusEndpoint', 'ScrapeResponse'],
    ...['startPrometheusAggregator', 'PrometheusAggregator', 'PrometheusAggregatorOptions'],
  ],
  './adapter': [
    ...['setUpAdapter', 'AdapterOptions', 'AdapterSetup', 'ResponseEnds', 'RawResponse'],
    ...['RouteMetrics', 'NO_EXECUTION_TIMERS', 'sanitizeTagValue', 'MAX_NAME_LENGTH'],
    ...['MAX_TAG_VALUE_LENGTH', 'FrameworkLogger', 'installTimersProperty'],
    ...['reportMisorderedMount', 'TIMERS_SLOT', 'carriesResponse'],
  ],
  './testing': [
    ...['createCaptureMeter', 'CaptureMeter', 'startStatsdReceiver', 'StatsdReceiver'],
    ...['ReceiverOptions', 'startStatsdDaemon', 'StatsdDaemon', 'StatsdDaemonOptions'],
    ...['StatsdLines', 'parseStatsdLine', 'ParsedSample', 'waitUntil', 'unixDgramUnavailable'],
  ],
}

describe('the type declarations promise only what the code exports', () => {
  // A class exported with `export type` used to reach the bundled .d.ts as a value
  // (`import { AggregatingMeter } from '@routemeter/core'` type-checked, then failed at runtime).
  it('every value the declarations of every entry (ESM and CJS) export exists at runtime, and they export exactly the public names', async () => {
    const ts = (await import('typescript')).default
    const { createRequire } = await import('node:module')
    const { readFile } = await import('node:fs/promises')
    const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
    const files: Array<{ entry: Entry; condition: string; file: string }> = []
    for (const entry of ENTRIES)
      for (const condition of ['import', 'require'])
        files.push({
          entry,
          condition,
          file: path.join(packageDir, manifest.exports[entry][condition].types),
        })
    const program = ts.createProgram(
      files.map((f) => f.file),
      { noEmit: true, skipLibCheck: true, types: [] },
    )
    const checker = program.getTypeChecker()
    const load = createRequire(path.join(packageDir, 'package.json'))
    const declared = new Map<string, string[]>()
    for (const { entry, condition, file } of files) {
      const source = program.getSourceFile(file)
      const moduleSymbol = source && checker.getSymbolAtLocation(source)
      expect(moduleSymbol).toBeDefined()
      const declaredValues: string[] = []
      const declaredNames: string[] = []
      for (const symbol of checker.getExportsOfModule(moduleSymbol as never)) {
        declaredNames.push(symbol.name)
        const isTypeOnly = symbol.declarations?.some(
          (d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly),
        )
        const target =
          symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
        if (!isTypeOnly && target.flags & ts.SymbolFlags.Value) declaredValues.push(symbol.name)
      }
      const runtime = load(
        entry === '.' ? '@routemeter/core' : `@routemeter/core/${entry.slice(2)}`,
      )
      const missing = declaredValues.filter((name) => !(name in runtime))
      expect({ file: path.basename(file), missing }).toEqual({
        file: path.basename(file),
        missing: [],
      })
      expect(declaredValues.length).toBeGreaterThan(5)
      declared.set(`${entry} ${condition}`, declaredNames.sort())
    }
    for (const entry of ENTRIES) {
      expect(declared.get(`${entry} import`), entry).toEqual([...PUBLIC_DECLARATIONS[entry]].sort())
      expect(declared.get(`${entry} require`), entry).toEqual(
        [...PUBLIC_DECLARATIONS[entry]].sort(),
      )
    }
  })
})
