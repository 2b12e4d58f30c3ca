/**
 * The tarballs as npm would receive them: what they contain, their package.json, their README,
 * and no errors from publint and @arethetypeswrong/cli (every entry point, every resolution
 * mode: node10, node16 from CommonJS and from ESM, bundler).
 */
import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { describe, expect, inject, it } from 'vitest'
import { INSTALL_BUDGET_BYTES } from './support/install-budget.mjs'
import {
  PUBLISHED,
  REPOSITORY,
  ROOT,
  tarballFiles,
  tarballText,
  unpackedBytes,
} from './support/workspace.mjs'

const tarballs = inject('tarballs')
const attw = createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')
const attwBin = path.join(path.dirname(attw), 'dist', 'index.js')

describe.each(PUBLISHED)('%s tarball', (name) => {
  const tarball = tarballs[name]
  const manifest = () => JSON.parse(tarballText(tarball, 'package.json'))

  it('holds the build, the README and the LICENSE, and nothing from the sources or tests', async () => {
    const files = tarballFiles(tarball)
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/index.cjs',
        'dist/index.d.ts',
        'dist/index.d.cts',
      ]),
    )
    expect(
      files.filter(
        (file) =>
          !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file),
      ),
    ).toEqual([])
    expect(tarballText(tarball, 'LICENSE')).toBe(await readFile(path.join(ROOT, 'LICENSE'), 'utf8'))
  })

  it('installs within its size budget, with no source maps', () => {
    // What `npm install` writes to disk for this package: every file of the tarball, unpacked.
    const bytes = unpackedBytes(tarball)
    console.log(`${name}: ${bytes} bytes unpacked (budget ${INSTALL_BUDGET_BYTES[name]})`)
    expect(bytes).toBeLessThanOrEqual(INSTALL_BUDGET_BYTES[name])
    expect(tarballFiles(tarball).filter((file) => file.endsWith('.map'))).toEqual([])
  })

  it('has the metadata npm shows, and dependencies on real versions (no workspace: left)', () => {
    const pkg = manifest()
    expect(pkg.license).toBe('MIT')
    expect(pkg.author).toEqual(expect.any(String))
    expect(pkg.keywords.length).toBeGreaterThan(3)
    expect(pkg.repository).toEqual({
      type: 'git',
      url: `git+${REPOSITORY}.git`,
      directory: `packages/${name.replace('@routemeter/', '')}`,
    })
    expect(pkg.homepage).toBe(
      `${REPOSITORY}/tree/main/packages/${name.replace('@routemeter/', '')}#readme`,
    )
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` })
    expect(pkg.sideEffects).toBe(false)
    expect(JSON.stringify(pkg.dependencies ?? {})).not.toContain('workspace:')
  })

  it('runs no script that points at a file the tarball does not have', () => {
    const files = new Set(tarballFiles(tarball))
    const scripts = Object.values(manifest().scripts ?? {})
    const paths = scripts.flatMap((script) => script.match(/[\w./-]+\.[cm]?[jt]s\b/g) ?? [])
    expect(paths.filter((file) => !files.has(file.replace(/^\.\//, '')))).toEqual([])
  })

  it('has a README that stands alone on npm: links are absolute URLs', () => {
    const links = [...tarballText(tarball, 'README.md').matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1])
    expect(links.length).toBeGreaterThan(0)
    expect(links.filter((link) => !/^https:\/\//.test(link))).toEqual([])
  })

  it('passes publint with no message at all (errors, warnings or suggestions)', async () => {
    const { buffer } = await readFile(tarball)
    const { messages, pkg } = await publint({
      pack: { tarball: buffer },
      level: 'suggestion',
      strict: true,
    })
    expect(messages.map((message) => formatMessage(message, pkg))).toEqual([])
  })

  it('passes @arethetypeswrong/cli in every resolution mode, node10 included', () => {
    const run = spawnSync(process.execPath, [attwBin, tarball, '--format', 'json'], {
      encoding: 'utf8',
    })
    const report = JSON.parse(run.stdout)
    expect(report.analysis.problems).toEqual([])
    expect(run.status, run.stderr).toBe(0)
    const entrypoints = Object.keys(report.analysis.entrypoints)
    expect(entrypoints).toContain('.')
    if (name === '@routemeter/core')
      expect(entrypoints).toEqual(expect.arrayContaining(['./adapter', './testing']))
    for (const entry of Object.values(report.analysis.entrypoints)) {
      for (const mode of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
        expect(entry.resolutions[mode].resolution?.isTypeScript, `${entry.subpath} ${mode}`).toBe(
          entry.subpath !== './package.json',
        )
      }
    }
  })
})
