import { spawnSync } from 'node:child_process'
import { realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
export const REPOSITORY = 'https://github.com/routemeter/routemeter'

/** Every package that goes to npm, by name. */
export const PUBLISHED = ['@routemeter/core', '@routemeter/fastify', '@routemeter/express']

export function packageDir(name) {
  return path.join(ROOT, 'packages', name.replace('@routemeter/', ''))
}

/**
 * Where a dependency the workspace has installed really lives (pnpm links it into the
 * package's own node_modules): the consumer projects link to these instead of downloading.
 */
export function installedDir(dependency, fromDir) {
  return realpathSync(path.join(fromDir, 'node_modules', dependency))
}

/** Runs a command to completion; its output is part of the failure message if it fails. */
export function runOrFail(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
        `${result.stdout}${result.stderr}`,
    )
  }
  return result.stdout
}

/** The file list of a tarball, as `tar` prints it (`package/dist/index.js`, …). */
export function tarballFiles(tarball) {
  return runOrFail('tar', ['-tzf', tarball])
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''))
}

/** One file of a tarball as text. */
export function tarballText(tarball, file) {
  return runOrFail('tar', ['-xzOf', tarball, `package/${file}`])
}

/** The bytes of every file in a tarball once unpacked: what an install puts on disk. */
export function unpackedBytes(tarball) {
  const result = spawnSync('tar', ['-xzOf', tarball], { maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`tar -xzOf ${tarball} failed: ${result.stderr}`)
  return result.stdout.length
}
