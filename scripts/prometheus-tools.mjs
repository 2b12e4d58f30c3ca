/**
 * Finds Prometheus' `prometheus` and `promtool` for the tests that check routemeter's
 * exposition against the real thing, and prints their folder. In order: the folder in
 * `PROMETHEUS_BIN_DIR`; both on PATH; a copy unpacked before under `.tools/prometheus/`; else
 * Debian's `prometheus` package, downloaded (no install, no root needed when the package lists
 * are present; as root, `apt-get update` first when they are not) and unpacked there. Both are
 * single Go binaries that need only libc.
 *
 * Usage: node scripts/prometheus-tools.mjs   → prints the bin folder, or exits 1 saying why.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const cached = path.join(root, '.tools', 'prometheus')
const cachedBin = path.join(cached, 'usr', 'bin')

function hasBoth(dir) {
  return existsSync(path.join(dir, 'prometheus')) && existsSync(path.join(dir, 'promtool'))
}

function onPath(command) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' })
  return found.status === 0 ? path.dirname(found.stdout.trim()) : undefined
}

function download() {
  const work = mkdtempSync(path.join(tmpdir(), 'routemeter-prometheus-'))
  try {
    const get = () =>
      spawnSync('apt-get', ['download', 'prometheus'], { cwd: work, encoding: 'utf8' })
    let result = get()
    if (result.status !== 0 && process.getuid?.() === 0) {
      spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' })
      result = get()
    }
    if (result.error !== undefined || result.status !== 0)
      throw new Error(
        `apt-get download prometheus failed: ${result.error?.message ?? result.stderr.trim()}`,
      )
    const deb = readdirSync(work).find((name) => name.endsWith('.deb'))
    if (deb === undefined) throw new Error('apt-get download prometheus left no .deb')
    const unpacked = path.join(work, 'unpacked')
    execFileSync('dpkg-deb', ['-x', path.join(work, deb), unpacked])
    mkdirSync(path.dirname(cached), { recursive: true })
    // Whole folder into place at once: a test reading it meanwhile never sees half of it.
    if (!hasBoth(cachedBin)) renameSync(unpacked, cached)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function find() {
  const fromEnv = process.env.PROMETHEUS_BIN_DIR
  if (fromEnv !== undefined && fromEnv !== '') {
    if (hasBoth(fromEnv)) return fromEnv
    throw new Error(`PROMETHEUS_BIN_DIR=${fromEnv} holds no prometheus and promtool`)
  }
  const prometheus = onPath('prometheus')
  if (prometheus !== undefined && prometheus === onPath('promtool')) return prometheus
  if (hasBoth(cachedBin)) return cachedBin
  download()
  if (hasBoth(cachedBin)) return cachedBin
  throw new Error('Debian prometheus package unpacked without prometheus and promtool')
}

try {
  process.stdout.write(`${find()}\n`)
} catch (error) {
  process.stderr.write(
    `prometheus-tools: ${error.message}\n  Install Prometheus (Debian/Ubuntu: apt-get install prometheus) or set PROMETHEUS_BIN_DIR.\n`,
  )
  process.exit(1)
}
