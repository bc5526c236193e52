// After tsc and postbuild: bundles the CLI (cli/main.ts and every module its commands import)
// into dist/cli/main.js plus one chunk per lazily imported command group in dist/cli/bundle/.
// `pmix check` loaded ~420 ES and CommonJS modules one file at a time (0.5 s of CPU); bundled,
// it loads a handful (docs/performance.md, "CLI start-up"). Packages with native or wasm parts
// stay external (resolved from node_modules at run time); the rest are inlined (chevrotain
// and lodash-es tree-shaken, @stdlib, d3, csv-parse, commander...). Source maps point at the .ts
// files; --debug turns them on for stack traces (cli/main.ts). dist/ keeps tsc's unbundled
// modules too: the API entries (dist/api) and the evaluation workers (dist/runtime) use them;
// tsc's unbundled dist/cli/* (all but main.js, which this overwrites) is left out of the
// tarball by package.json's `files` (test/architecture/package-contents.test.ts).
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'dist/cli');
/** Packages with native binaries, wasm files or optional peers: left to Node's resolution. */
const EXTERNAL = /^(@tensorflow\/|@resvg\/|webgpu$|playwright)/;

/**
 * import.meta.url inside a bundled module names the chunk, not the module's own file; the
 * one use (runtime/evaluate-threads.ts: the workers import the built runtime beside it) gets
 * the URL tsc's output of that module has in dist/.
 */
const ownUrl = {
  name: 'pmix-own-url',
  transform(code, id) {
    // Our .ts files only: rolldown's runtime (createRequire) and packages keep the chunk's URL.
    if (!code.includes('import.meta.url') || !id.endsWith('.ts') || id.includes('node_modules') || relative(root, id).startsWith('..')) return null;
    const built = join(root, 'dist', relative(root, id)).replace(/\.ts$/, '.js');
    let rel = relative(join(outDir, 'bundle'), built).split(sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), map: null };
  },
};

/**
 * The modules families/index.ts reaches by static imports: every command that runs a model loads
 * all of them. They go in one chunk: without this, the lazily imported drawing modules
 * (families' plot hooks: plot/ and d3 only when drawing) reach parts of them, and rolldown splits
 * the core into a chunk per combination of importers (`pmix check`: 13 files became 28).
 */
const FAMILIES = join(root, 'families/index.ts');
const core = new Set();
const coreOf = {
  name: 'pmix-core-modules',
  buildEnd() {
    const todo = [FAMILIES];
    while (todo.length) {
      const id = todo.pop();
      if (core.has(id)) continue;
      core.add(id);
      todo.push(...(this.getModuleInfo(id)?.importedIds ?? []));
    }
    if (core.size < 100) this.error(`bundle-cli: families/index.ts reaches only ${core.size} modules (was it moved?)`);
  },
};
/** The drawing code (plot/, d3 and the families' picture modules): one chunk, loaded when something is drawn. */
const DRAWING = /[\\/](plot|d3-[a-z]+|internmap)[\\/]|[\\/]families[\\/][a-z-]+[\\/]plot-[a-z-]*svg\.ts$/;

/**
 * No code from strings in the CLI (test/safety/no-code-execution.test.ts), so three @stdlib
 * entries are bypassed for the module their callers use. The series and continued-fraction
 * tools (under gammainc, betainc, log1pmx) pick their generator-based variant after probing
 * `function*` support with @stdlib/utils-eval, an indirect eval of a constant string: Node has
 * generators, so the bundle takes that variant directly. evalpoly's entry attaches `factory`,
 * which compiles polynomials with the Function constructor (@stdlib/function-ctor); its one
 * user (gammainc's igamma_temme_large) calls the plain evalpoly only.
 */
const req = createRequire(import.meta.url);
const NO_EVAL_PROBE = {
  '@stdlib/math-base-tools-continued-fraction': req.resolve('@stdlib/math-base-tools-continued-fraction/lib/generators.js'),
  '@stdlib/math-base-tools-sum-series': req.resolve('@stdlib/math-base-tools-sum-series/lib/generators.js'),
  '@stdlib/math-base-tools-evalpoly': req.resolve('@stdlib/math-base-tools-evalpoly/lib/main.js'),
};

rmSync(join(outDir, 'bundle'), { recursive: true, force: true });
const bundle = await rolldown({
  input: join(root, 'cli/main.ts'),
  platform: 'node',
  tsconfig: join(root, 'tsconfig.json'),
  resolve: { extensionAlias: { '.js': ['.ts', '.js'] }, alias: NO_EVAL_PROBE },
  external: (id) => id.startsWith('node:') || EXTERNAL.test(id),
  plugins: [ownUrl, coreOf],
  logLevel: 'warn',
});
await bundle.write({
  dir: outDir,
  format: 'esm',
  sourcemap: true,
  // The maps carry positions and file names only: --debug's stack traces need no more, and the
  // embedded sources (commander, chevrotain, d3, our .ts...) were ~5 MB of the tarball.
  sourcemapExcludeSources: true,
  entryFileNames: 'main.js',
  chunkFileNames: 'bundle/[name]-[hash].js',
  codeSplitting: {
    groups: [
      { name: 'core', test: (id) => core.has(id), priority: 2 },
      { name: 'plot', test: DRAWING, priority: 1 },
    ],
  },
  // Whitespace and comments out (~10 ms less to parse at start-up); names kept, so stack
  // traces read without the maps too; no compression (the code runs as written).
  minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  comments: { legal: true, annotation: false, jsdoc: false },
});
await bundle.close();
chmodSync(join(outDir, 'main.js'), 0o755); // the bin
// Note: chunks import what main.js inlined (cli/exit.ts's Exit, stdio) back from main.js, so
// cli/main.ts must not await at its top level (a chunk would wait on main, main on the chunk).
