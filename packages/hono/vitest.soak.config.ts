import { defineConfig } from 'vitest/config'
import tests from './vitest.config'

// `npm run soak` (root): the long load and memory runs, test/*.soak.ts, kept out of `npm test`
// for time; the same settings otherwise.
export default defineConfig({
  test: { ...tests.test, include: ['test/**/*.soak.ts'] },
})
