import type { Options } from 'tsup'

/** The one build every package shares: ESM and CommonJS with type declarations for both. */
export function packageBuild(entry: string[]): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    // import.meta.url / __filename work in both builds (the testing helpers resolve files).
    shims: true,
  }
}
