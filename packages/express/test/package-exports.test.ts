import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageExportsSuite } from '@routemeter/conformance'
import * as test from 'vitest'

packageExportsSuite({
  test,
  packageDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
  packageName: '@routemeter/express',
  middlewareArity: 3,
  augmentation: {
    what: 'req.metrics augmentation',
    declaration: /namespace Express[\s\S]*interface Request[\s\S]*metrics: RequestMetrics/,
  },
})
