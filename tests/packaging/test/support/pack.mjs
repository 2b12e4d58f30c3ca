/**
 * Vitest global setup: `pnpm pack` every published package into one temporary folder, as
 * `pnpm publish` would pack it (workspace: versions replaced by real ones). Tests get the folder
 * and the tarball of each package through `inject('tarballs')`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PUBLISHED, packageDir } from './workspace.mjs'

let folder

export function setup({ provide }) {
  folder = mkdtempSync(path.join(tmpdir(), 'routemeter-tarballs-'))
  const tarballs = {}
  for (const name of PUBLISHED) {
    const before = new Set(readdirSync(folder))
    const result = spawnSync('pnpm', ['pack', '--pack-destination', folder], {
      cwd: packageDir(name),
      encoding: 'utf8',
    })
    if (result.status !== 0) {
      throw new Error(`pnpm pack failed for ${name}: ${result.error ?? ''}${result.stderr}`)
    }
    const [file] = readdirSync(folder).filter((entry) => !before.has(entry))
    tarballs[name] = path.join(folder, file)
  }
  provide('tarballs', tarballs)
}

export function teardown() {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true })
}
