// What the report says about where and with what it ran.
import { execFileSync } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

/** Version of a package installed for the bench (pnpm links resolve to the real directory). */
export function installedVersion(benchDir, name, from = benchDir) {
  const pkg = readJson(join(from, 'node_modules', name, 'package.json'))
  return pkg?.version
}

function packageDir(benchDir, name) {
  try {
    return realpathSync(join(benchDir, 'node_modules', name))
  } catch {
    return undefined
  }
}

export function versions(benchDir) {
  const names = [
    'fastify',
    'express',
    'koa',
    '@koa/router',
    'hono',
    '@hono/node-server',
    'hot-shots',
    'autocannon',
    '@routemeter/core',
    '@routemeter/fastify',
    '@routemeter/express',
    '@routemeter/koa',
    '@routemeter/hono',
    'fastify-metrics',
    '@platformatic/prom-client',
    '@immobiliarelabs/fastify-metrics',
    'express-prom-bundle',
    'prom-client',
    'connect-datadog',
    'prometheus-api-metrics',
    '@hono/prometheus',
  ]
  const out = { node: process.versions.node }
  for (const name of names) out[name] = installedVersion(benchDir, name) ?? 'not installed'
  // Transitive clients that actually send for two peers.
  const immo = packageDir(benchDir, '@immobiliarelabs/fastify-metrics')
  if (immo) {
    const dats = readJson(join(dirname(dirname(immo)), '@immobiliarelabs', 'dats', 'package.json'))
    if (dats) out['@immobiliarelabs/dats'] = dats.version
  }
  return out
}

function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    return undefined
  }
}

export function machine(benchDir) {
  const cpus = os.cpus()
  const commit = git(['rev-parse', '--short', 'HEAD'], benchDir)?.trim()
  const dirty = git(['status', '--porcelain'], benchDir)?.trim()
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: commit ? `${commit}${dirty ? ' (with uncommitted changes)' : ''}` : 'unknown',
  }
}
