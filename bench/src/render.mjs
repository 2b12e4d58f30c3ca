// Renders the report again from a run's raw records (`.results/<mode>-raw.json`), without
// measuring anything: for a change to the report's wording or layout after a long run.
//
//   node bench/src/render.mjs [full|quick] [--out <file>]
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { renderReport } from './lib/report.mjs'

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' } },
})
const mode = positionals[0] ?? 'full'
const raw = JSON.parse(readFileSync(join(benchDir, '.results', `${mode}-raw.json`), 'utf8'))
const out = values.out ?? join(benchDir, 'RESULTS.md')
writeFileSync(out, `${renderReport(raw)}\n`)
console.error(`wrote ${out} from .results/${mode}-raw.json`)
