import type { Options } from 'tsup'

/** The one build every package shares: ESM and CommonJS with type declarations for both. */
export function packageBuild(entry: string[]): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    target: 'node20',
    // One engine per format: an entry point that imports another module (core's /testing uses the
    // meter, the errors) shares its chunk instead of carrying its own copy, so classes and
    // `instanceof` agree across entry points.
    splitting: true,
    // Split CommonJS chunks then go through rollup (format cjs), which only rewrites imports and
    // exports. Without it tsup converts them with sucrase, which also rewrites `?.`, `??` and
    // class fields into helper calls with closures (hot-path cost) and renames classes (`_class`).
    treeshake: true,
    // import.meta.url / __filename work in both builds (the testing helpers resolve files).
    shims: true,
  }
}
