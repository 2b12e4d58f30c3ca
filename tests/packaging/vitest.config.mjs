import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // Packs every package once; the tests read the tarballs it leaves in a temporary folder.
    globalSetup: ['test/support/pack.mjs'],
    // Packing, linting and installing run processes that want the machine's two cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
