import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * Core's folders, bottom first. A file may import from its own folder and from folders in
 * earlier layers, never from a later one. The StatsD line format sits below the aggregate
 * because each series drains itself as StatsD lines; the top level (the meter, the entry
 * points) wires everything together. A new folder must be placed here before it can be used.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['config'],
  ['naming'],
  ['request'],
  ['outputs/statsd', 'outputs/prometheus'],
  ['aggregation'],
  ['transport'],
  ['.', 'testing'],
]

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src')

/** Every relative module a source names: `import`, `import type`, `export … from`, `import()`. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']*)'/g

function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => match[1] as string)
}

/** Module graph of `src`: file (relative to src, with extension) → the files it imports. */
function readGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) {
        const targets = relativeImports(readFileSync(path, 'utf8')).map((spec) =>
          resolveModule(dirname(path), spec),
        )
        graph.set(relative(SRC, path), targets)
      }
    }
  }
  walk(SRC)
  return graph
}

function resolveModule(fromDir: string, spec: string): string {
  const base = resolve(fromDir, spec)
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return relative(SRC, candidate)
  }
  throw new Error(`${relative(SRC, fromDir)}: cannot resolve '${spec}'`)
}

function layerOf(file: string, layers: readonly (readonly string[])[]): number {
  const folder = dirname(file)
  const index = layers.findIndex((folders) => folders.includes(folder))
  if (index === -1) throw new Error(`${file}: folder '${folder}' has no place in LAYERS`)
  return index
}

/** Imports that reach a later layer, as `from -> to`. */
function upwardImports(
  graph: ReadonlyMap<string, readonly string[]>,
  layers: readonly (readonly string[])[],
): string[] {
  const found: string[] = []
  for (const [from, targets] of graph) {
    for (const to of targets)
      if (layerOf(to, layers) > layerOf(from, layers)) found.push(`${from} -> ${to}`)
  }
  return found
}

/** Every import cycle found by a depth-first walk, each as the files around it. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = []
  const done = new Set<string>()
  const path: string[] = []
  const onPath = new Set<string>()
  const visit = (file: string): void => {
    if (onPath.has(file)) {
      cycles.push([...path.slice(path.indexOf(file)), file])
      return
    }
    if (done.has(file)) return
    onPath.add(file)
    path.push(file)
    for (const target of graph.get(file) ?? []) visit(target)
    path.pop()
    onPath.delete(file)
    done.add(file)
  }
  for (const file of [...graph.keys()].sort()) visit(file)
  return cycles
}

describe('core source layout', () => {
  const graph = readGraph()

  it('has no import cycle, type-only imports included', () => {
    expect(importCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([])
  })

  it('imports only from its own layer or the layers below', () => {
    expect(upwardImports(graph, LAYERS)).toEqual([])
  })

  it('sees type-only imports and the folders of the request path', () => {
    // The fault log's only import is a type: a parser that skipped `import type` would miss it.
    expect(graph.get('config/fault-log.ts')).toEqual(['config/option-types.ts'])
    expect(graph.get('meter.ts')).toEqual(
      expect.arrayContaining([
        'aggregation/route-metrics.ts',
        'outputs/statsd/wire-format.ts',
        'transport/transport.ts',
      ]),
    )
  })
})

describe('the layout checks themselves', () => {
  it('read every form of relative import', () => {
    const source = [
      "import { a } from './a'",
      "import type { B } from '../b'",
      "export { c } from './c'",
      "export type { D } from './d'",
      "const e = await import('./e')",
      "import './f'",
      "import { g } from 'node:g'",
    ].join('\n')
    expect(relativeImports(source)).toEqual(['./a', '../b', './c', './d', './e', './f'])
  })

  it('find a cycle closed by a type-only import and an import that goes up', () => {
    const graph = new Map([
      ['config/options.ts', ['naming/naming.ts']],
      ['naming/naming.ts', ['config/options.ts']],
    ])
    expect(importCycles(graph)).toEqual([
      ['config/options.ts', 'naming/naming.ts', 'config/options.ts'],
    ])
    expect(upwardImports(graph, LAYERS)).toEqual(['config/options.ts -> naming/naming.ts'])
  })

  it('refuse a folder that has no layer', () => {
    expect(() => layerOf('metrics/x.ts', LAYERS)).toThrow("folder 'metrics' has no place")
  })
})
