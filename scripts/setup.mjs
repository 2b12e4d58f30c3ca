/**
 * `npm run demo` / `npm test` (and `pnpm demo` / `pnpm test`): everything a fresh clone needs,
 * then the demo or the whole test suite. Needs only Node.js and npm:
 *
 * 1. pnpm, the version pinned in package.json's `packageManager`: the one on PATH if it is that
 *    version, else a private copy installed once with npm under `.tools/` (no global install,
 *    no corepack);
 * 2. `pnpm install --frozen-lockfile` (a no-op when node_modules is current);
 * 3. the build (turbo: only what changed);
 * 4. the demo, `turbo run test` over every package, or the soak: each package's
 *    vitest.soak.config.ts (the long load and memory runs kept out of `npm test`).
 *
 * Set-up output is shown only when a step fails. Usage: node scripts/setup.mjs demo|test|soak [args…]
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const [task, ...rest] = process.argv.slice(2)
// `pnpm demo -- --duration 5` passes the `--` on; npm drops it.
const args = rest[0] === '--' ? rest.slice(1) : rest
if (task !== 'demo' && task !== 'test' && task !== 'soak') {
  process.stderr.write('usage: node scripts/setup.mjs demo|test|soak [args…]\n')
  process.exit(2)
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
const pnpmVersion = manifest.packageManager.replace(/^pnpm@/, '')
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }

const pnpm = findPnpm()
quietly('installing dependencies', [
  ...pnpm,
  'install',
  '--frozen-lockfile',
  '--config.confirmModulesPurge=false',
])
const turbo = [...pnpm, 'exec', 'turbo', 'run']
if (task === 'demo') {
  quietly('building', [...turbo, 'build', '--filter=@routemeter/demo...'])
  process.exitCode = await run([
    process.execPath,
    path.join(root, 'examples/demo/src/demo.mjs'),
    ...args,
  ])
} else if (task === 'soak') {
  // Every package with a vitest.soak.config.ts, one after the other, so memory readings and long
  // loads do not compete; all of them run even after one fails. Run from here, not as a package
  // script: a published package.json must not name a file its tarball does not ship.
  quietly('building', [...turbo, 'build'])
  const packages = path.join(root, 'packages')
  const soaking = readdirSync(packages)
    .map((name) => path.join(packages, name))
    .filter((dir) => existsSync(path.join(dir, 'vitest.soak.config.ts')))
  let failed = 0
  for (const dir of soaking) {
    const command = [...pnpm, 'exec', 'vitest', 'run', '--config', 'vitest.soak.config.ts']
    if ((await run([...command, ...args], dir)) !== 0) failed++
  }
  process.exitCode = failed === 0 ? 0 : 1
} else {
  // turbo builds what the tests depend on first (test dependsOn build); --continue runs every
  // package's tests even after one fails, so the summary covers the whole suite. Each package
  // runs its test files one at a time, mostly on one core (app and load generator share a
  // process): two packages at once keep two cores busy.
  process.exitCode = await run([...turbo, 'test', '--concurrency=2', '--continue', ...args])
}

/**
 * The command that runs the pinned pnpm. A private copy's folder also goes first on PATH: turbo
 * runs each package's scripts with the `pnpm` it finds there.
 */
function findPnpm() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env, shell: isWindows() })
  if (onPath.status === 0 && onPath.stdout.trim() === pnpmVersion) return ['pnpm']

  const prefix = path.join(root, '.tools', `pnpm-${pnpmVersion}`)
  const bin = path.join(prefix, 'node_modules', '.bin')
  if (!existsSync(path.join(prefix, 'node_modules', 'pnpm', 'package.json'))) {
    quietly(`installing pnpm ${pnpmVersion} into .tools/ (once)`, [
      'npm',
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${pnpmVersion}`,
    ])
  }
  env.PATH = `${bin}${path.delimiter}${env.PATH ?? ''}`
  return [path.join(bin, isWindows() ? 'pnpm.cmd' : 'pnpm')]
}

/** Runs a set-up step with its output captured; prints it and exits only if the step fails. */
function quietly(what, [command, ...argv]) {
  process.stderr.write(`routemeter: ${what} …\n`)
  const result = spawnSync(command, argv, {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    shell: isWindows() && !path.isAbsolute(command),
  })
  if (result.status === 0) return
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
  process.stderr.write(
    `routemeter: ${what} failed: ${[command, ...argv].join(' ')} ` +
      `(${result.error?.message ?? `exit ${result.status ?? result.signal}`})\n`,
  )
  process.exit(1)
}

/**
 * Runs the task in the foreground. Ctrl-C reaches both processes from the terminal; a signal
 * sent to this one alone (closing the terminal, `kill`, npm relaying one) is passed on, and this
 * process waits for the child to stop everything it started.
 */
function run([file, ...argv], cwd = root) {
  const child = spawn(file, argv, { cwd, env, stdio: 'inherit' })
  const relay = (signal) => child.kill(signal)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, relay)
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`routemeter: cannot start ${file}: ${error.message}\n`)
      resolve(1)
    })
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)))
  })
}

function isWindows() {
  return process.platform === 'win32'
}
