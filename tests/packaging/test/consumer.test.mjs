/**
 * A user's project: the packed tarballs installed into a scratch folder outside the workspace,
 * offline (the tarballs; the third-party packages they depend on linked from the workspace's
 * install), then used from ESM, from CommonJS, and type-checked by strict TypeScript with node16,
 * bundler and node10 resolution. The apps send their metrics to a real UDP receiver on loopback.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startStatsdReceiver } from '@routemeter/core/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  installedDir,
  PUBLISHED,
  packageDir,
  runOrFail,
  tarballText,
} from './support/workspace.mjs'

const HERE = fileURLToPath(new URL('..', import.meta.url))
const tarballs = inject('tarballs')
/** What the consumer project itself depends on besides routemeter. */
const CONSUMER_DEPENDENCIES = ['fastify', 'express', 'typescript', '@types/node', '@types/express']

let project
let receiver

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'routemeter-consumer-'))
  cpSync(path.join(HERE, 'test', 'consumer'), project, { recursive: true })
  writeProject(project)
  runOrFail(
    'pnpm',
    [
      'install',
      '--offline',
      '--store-dir',
      path.join(project, '.store'),
      '--config.confirmModulesPurge=false',
      '--reporter=append-only',
    ],
    { cwd: project },
  )
  receiver = await startStatsdReceiver({ protocol: 'udp' })
})

afterAll(async () => {
  await receiver?.stop()
  if (project !== undefined) rmSync(project, { recursive: true, force: true })
})

/** package.json (tarballs by file:, everything else linked) and one tsconfig per resolution mode. */
function writeProject(dir) {
  const link = (name, from) => `link:${installedDir(name, from)}`
  const dependencies = Object.fromEntries(
    CONSUMER_DEPENDENCIES.map((name) => [name, link(name, HERE)]),
  )
  // A package's own dependencies resolve the way npm would give them: @routemeter/* to the
  // tarballs, the rest to the versions the workspace installed for that package.
  const overrides = {}
  for (const name of PUBLISHED) {
    dependencies[name] = `file:${tarballs[name]}`
    overrides[name] = `file:${tarballs[name]}`
    const manifest = JSON.parse(tarballText(tarballs[name], 'package.json'))
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (!dependency.startsWith('@routemeter/')) {
        overrides[dependency] = link(dependency, packageDir(name))
      }
    }
  }
  const json = (file, value) =>
    writeFileSync(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`)
  json('package.json', {
    name: 'routemeter-consumer',
    private: true,
    dependencies,
    pnpm: { overrides },
  })
  const strict = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
  }
  // ESM and CommonJS in separate programs, as a project is one or the other: one program that
  // loads both @routemeter/fastify's .d.ts and .d.cts merges two `metrics: Meter` declarations
  // into Fastify's types from two copies of core's declarations (TS2717).
  json('tsconfig.node16-esm.json', {
    compilerOptions: { ...strict, module: 'node16', moduleResolution: 'node16' },
    files: ['types.mts'],
  })
  json('tsconfig.node16-cjs.json', {
    compilerOptions: { ...strict, module: 'node16', moduleResolution: 'node16' },
    files: ['types.cts'],
  })
  json('tsconfig.bundler.json', {
    compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler' },
    files: ['types.mts'],
  })
  json('tsconfig.node10.json', {
    compilerOptions: { ...strict, module: 'commonjs', moduleResolution: 'node10' },
    files: ['node10.ts'],
  })
}

function node(script) {
  return spawnSync(process.execPath, [script], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, STATSD_PORT: String(receiver.port) },
  })
}

/**
 * Every name each entry point exports, ESM and CommonJS alike: the public surface. A name added
 * to an entry by accident (an internal, a repository test helper) fails here; one added on
 * purpose is added here and to the README's list of exports.
 */
const PUBLIC_EXPORTS = {
  '@routemeter/core': [
    'CLIENT_CLOSED_REQUEST',
    'LABEL_ERROR',
    'LABEL_NONE',
    'LABEL_OTHER',
    'OTHER_METHOD',
    'OVERFLOW_ROUTE',
    'OVERFLOW_SEGMENT',
    'ROOT_SEGMENT',
    'RoutemeterOptionError',
    'STANDARD_METHODS',
    'UNMATCHED_ROUTE',
    'UNMATCHED_SEGMENT',
    'createMeter',
    'routeToPathSegments',
    'startPrometheusAggregator',
  ],
  '@routemeter/core/adapter': [
    'MAX_NAME_LENGTH',
    'MAX_TAG_VALUE_LENGTH',
    'NO_EXECUTION_TIMERS',
    'ResponseEnds',
    'RouteMetrics',
    'TIMERS_SLOT',
    'carriesResponse',
    'installTimersProperty',
    'reportMisorderedMount',
    'sanitizeTagValue',
    'setUpAdapter',
  ],
  '@routemeter/core/testing': [
    'CaptureMeter',
    'StatsdDaemon',
    'StatsdLines',
    'StatsdReceiver',
    'createCaptureMeter',
    'parseStatsdLine',
    'startStatsdDaemon',
    'startStatsdReceiver',
    'unixDgramUnavailable',
    'waitUntil',
  ],
  '@routemeter/fastify': [
    'CLIENT_CLOSED_REQUEST',
    'RoutemeterOptionError',
    'SUPPORTED_FASTIFY',
    'default',
    'routemeter',
  ],
  '@routemeter/express': ['CLIENT_CLOSED_REQUEST', 'RoutemeterOptionError', 'routemeter'],
}

describe('a project that installs the tarballs', () => {
  it('gets the routemeter-exporter command on its PATH (node_modules/.bin), runnable without a build step', () => {
    const bin = path.join(project, 'node_modules', '.bin', 'routemeter-exporter')
    const run = spawnSync(bin, ['--help'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('usage: routemeter-exporter [--port 9464]')
    expect(run.status).toBe(0)
  })

  it('gets the packed files, not the workspace', () => {
    const installed = path.join(project, 'node_modules', '@routemeter', 'fastify', 'package.json')
    expect(JSON.parse(readFileSync(installed, 'utf8')).dependencies['@routemeter/core']).toBe(
      '0.1.0',
    )
  })

  it('ESM: a Fastify app with the plugin sends its request counts to a UDP receiver', async () => {
    const run = node('esm.mjs')
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({ sharedEngine: true })
    await receiver.waitFor((r) => r.counter('consumer.esm.http.server.requests') === 3)
    expect(receiver.counter('consumer.esm.http.server.requests', { route: '/users/:id' })).toBe(3)
  })

  it('CommonJS: an Express app with the middleware and a plain meter send theirs', async () => {
    const run = node('cjs.cjs')
    expect(run.status, run.stderr).toBe(0)
    await receiver.waitFor(
      (r) =>
        r.counter('consumer.cjs.http.server.requests') === 2 &&
        r.counter('consumer.cjs.jobs.done') === 5,
    )
    expect(receiver.counter('consumer.cjs.http.server.requests', { route: '/items/:id' })).toBe(2)
  })

  it('every entry point exports exactly its public names, from ESM and from CommonJS', () => {
    const run = node('exports.mjs')
    expect(run.status, run.stderr).toBe(0)
    const expected = Object.fromEntries(
      Object.entries(PUBLIC_EXPORTS).map(([entry, names]) => [entry, { esm: names, cjs: names }]),
    )
    expect(JSON.parse(run.stdout)).toEqual(expected)
  })

  it.each(['node16-esm', 'node16-cjs', 'bundler', 'node10'])(
    'TypeScript strict, %s resolution: type-checks with no error',
    (mode) => {
      const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc')
      const run = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`], {
        cwd: project,
        encoding: 'utf8',
      })
      expect(`${run.stdout}${run.stderr}`).toBe('')
      expect(run.status).toBe(0)
    },
  )
})
