// Prints what every published entry point exports, loaded from the installed tarballs as ESM
// (import) and as CommonJS (require): the packaging test compares both with the public lists.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const ENTRIES = [
  '@routemeter/core',
  '@routemeter/core/adapter',
  '@routemeter/core/testing',
  '@routemeter/fastify',
  '@routemeter/express',
]
const names = (module) => Object.keys(module).sort()
const out = {}
for (const entry of ENTRIES) {
  out[entry] = { esm: names(await import(entry)), cjs: names(require(entry)) }
}
console.log(JSON.stringify(out))
