import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageExportsSuite } from '@routemeter/conformance'
import * as test from 'vitest'

packageExportsSuite({
  test,
  packageDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
  packageName: '@routemeter/hono',
  middlewareArity: 2,
  augmentation: {
    what: 'c.var.metrics Env',
    declaration: /interface RoutemeterEnv[\s\S]*Variables[\s\S]*metrics: RequestMetrics/,
  },
})
