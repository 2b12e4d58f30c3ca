import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../../../scripts/prometheus-tools.mjs', import.meta.url))
let binDir: string | undefined

/**
 * The folder holding Debian's `prometheus` and `promtool` (scripts/prometheus-tools.mjs finds
 * or unpacks them). Throws with the reason when they cannot be had: the tests that need them
 * fail rather than pass unchecked.
 */
export function prometheusBinDir(): string {
  binDir ??= execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim()
  return binDir
}

export interface PromtoolResult {
  readonly ok: boolean
  readonly output: string
}

/** `promtool check metrics` on an exposition (text format): its verdict and what it printed. */
export function promtoolCheckMetrics(exposition: string): PromtoolResult {
  const result = spawnSync(path.join(prometheusBinDir(), 'promtool'), ['check', 'metrics'], {
    input: exposition,
    encoding: 'utf8',
  })
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() }
}
