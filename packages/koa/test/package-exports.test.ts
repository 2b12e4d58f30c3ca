import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageExportsSuite } from '@routemeter/conformance'
import * as test from 'vitest'

packageExportsSuite({
  test,
  packageDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
  packageName: '@routemeter/koa',
  middlewareArity: 2,
  augmentation: {
    what: 'ctx.metrics augmentation',
    declaration:
      /declare module 'koa'[\s\S]*interface ExtendableContext[\s\S]*metrics: RequestMetrics/,
  },
})
