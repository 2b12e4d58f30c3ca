/**
 * `node scripts/node-line.mjs <major>` (22, 24, 26, …): puts the newest release of that Node.js
 * line in `.tools/node-<version>/` (once) and prints its bin folder, so that
 *
 *     PATH="$(node scripts/node-line.mjs 24):$PATH" npm test
 *
 * runs the suite on Node 24. The binary comes from the npm registry's `node-<platform>-<arch>`
 * package (the official build, packed by the Node.js project), through `npm pack`: it needs
 * only npm and the registry npm is already configured for — no other download.
 *
 * The bin folder holds `node` only; `npm` and `npx` on PATH stay the machine's own (npm runs
 * scripts with the first `node` on PATH, so everything they start uses the chosen line).
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const line = process.argv[2] ?? ''
if (!/^\d+$/.test(line)) fail('usage: node scripts/node-line.mjs <major line, e.g. 24>')

const packageName = `node-${process.platform}-${process.arch}`
const version = npm(['view', `${packageName}@${line}`, 'version', '--json'], (out) => {
  // One version prints a string, several print an array (newest last).
  const parsed = JSON.parse(out)
  return Array.isArray(parsed) ? parsed.at(-1) : parsed
})
if (typeof version !== 'string' || !version.startsWith(`${line}.`)) {
  fail(`the registry has no ${packageName} release on line ${line}`)
}

const tools = path.join(root, '.tools')
const home = path.join(tools, `node-${version}`)
const bin = path.join(home, 'bin')
const binary = path.join(bin, process.platform === 'win32' ? 'node.exe' : 'node')
if (!existsSync(binary)) install()
const reported = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim()
if (reported !== `v${version}`) fail(`${binary} reports ${reported ?? 'nothing'}, not v${version}`)
process.stdout.write(`${bin}\n`)

/** Packs the package into a scratch folder beside the cache, unpacks it, then moves it in place. */
function install() {
  process.stderr.write(`node-line: fetching ${packageName}@${version} into .tools/ (once) …\n`)
  mkdirSync(tools, { recursive: true })
  const scratch = mkdtempSync(path.join(tools, `.node-${version}-`))
  try {
    const tarball = npm(
      ['pack', `${packageName}@${version}`, '--pack-destination', scratch, '--json'],
      (out) => path.join(scratch, JSON.parse(out)[0].filename),
    )
    run('tar', ['-xzf', tarball, '-C', scratch])
    chmodSync(path.join(scratch, 'package', 'bin', path.basename(binary)), 0o755)
    // A rename is atomic: a second run in parallel finds either nothing or the whole folder.
    rmSync(home, { recursive: true, force: true })
    renameSync(path.join(scratch, 'package'), home)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

function npm(args, parse) {
  const output = run('npm', [...args, '--loglevel=error'])
  try {
    return parse(output)
  } catch (error) {
    fail(`unexpected output from npm ${args.join(' ')}: ${error.message}\n${output}`)
  }
}

function run(command, args) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    shell: process.platform === 'win32',
  })
  if (result.status !== 0) {
    fail(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
        `${result.stdout ?? ''}${result.stderr ?? ''}`,
    )
  }
  return result.stdout
}

function fail(message) {
  process.stderr.write(`node-line: ${message}\n`)
  process.exit(1)
}
