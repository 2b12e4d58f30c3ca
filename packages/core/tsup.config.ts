import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.base'

export default defineConfig(
  packageBuild(['src/index.ts', 'src/adapter.ts', 'src/testing.ts', 'src/exporter-cli.ts']),
)
