// What the built CLI loads at start-up, recorded by a module-loader hook (not timed). The CLI is
// a bundle (scripts/bundle-cli.mjs): the files it loads are its entry and chunks, and what they
// hold is read from their source maps. `pmix --version` loads commander and nothing of the
// compiler or runtime; `pmix check` loads a handful of files, no package from node_modules, and
// no code of TensorFlow.js, the PNG renderer, the drawing code (plot/, d3) or the other commands.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';
import { sourcesOf } from '../helpers/bundle-sources.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');
const hook = join(root, 'test/helpers/load-trace.mjs');

/** The URLs of the modules `pmix ARGS` loads (relative to the project root where inside it). */
function loads(...args: string[]): { code: number; modules: string[] } {
  const trace = join(tempDir(), 'loads.txt');
  const r = spawnSync(process.execPath, ['--import', hook, bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PMIX_LOAD_TRACE: trace } });
  const modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((u) => decodeURIComponent(u));
  return { code: r.status ?? -1, modules };
}

/** Modules of packages whose name matches (a package anywhere under a node_modules folder). */
function fromPackages(modules: string[], name: RegExp): string[] {
  return modules.filter((u) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m !== null && name.test(m[1]!);
  });
}

const HEAVY = /^(chevrotain|lodash-es|@chevrotain\/.*|@tensorflow\/.*|@resvg\/.*|d3-.*|csv-parse|pngjs|immer|@stdlib\/.*)$/;

/** The sources (ours: 'cli/main.ts'; packages: 'pkg:NAME') in the bundle files a run loaded. */
function sources(modules: string[]): string[] {
  const files = modules.filter((u) => u.includes('/dist/cli/')).map((u) => new URL(u).pathname);
  expect(files.length).toBeGreaterThan(0);
  return [...new Set(files.flatMap(sourcesOf))];
}
const packages = (srcs: string[], name: RegExp): string[] => srcs.filter((s) => s.startsWith('pkg:') && name.test(s.slice(4)));

describe('start-up loads (module-loader trace)', () => {
  it('pmix --version loads commander and none of the compiler, runtime or heavy packages', () => {
    const r = loads('--version');
    expect(r.code).toBe(0);
    const ours = r.modules.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/') + 1));
    expect(ours.filter((f) => !/^dist\/cli\/(main|bundle\/rolldown-runtime-[\w-]+)\.js$/.test(f))).toEqual([]);
    expect(fromPackages(r.modules, /./)).toEqual([]); // nothing from node_modules: commander is in the bundle
    const srcs = sources(r.modules);
    expect(packages(srcs, /^commander$/).length).toBeGreaterThan(0); // the maps do name packages
    expect(packages(srcs, HEAVY)).toEqual([]);
    expect(srcs.filter((s) => !s.startsWith('pkg:')).sort()).toEqual(['cli/exit.ts', 'cli/main.ts', 'cli/pipe.ts', 'platform/version.ts']);
  });

  it('pmix check loads a few bundle files and no code of TensorFlow.js, resvg, pngjs or the other commands', () => {
    const r = loads('check', 'examples/faithful.pmix');
    expect(r.code).toBe(0);
    const files = r.modules.filter((u) => !u.startsWith('node:'));
    expect(files.every((u) => u.includes('/dist/cli/'))).toBe(true); // nothing from node_modules, nothing unbundled
    expect(files.length).toBeLessThan(25); // unbundled, it was ~420 modules
    const srcs = sources(r.modules);
    expect(srcs).toContain('compiler/compile.ts'); // it did the work
    expect(srcs).toContain('language/lazy-lookahead.ts');
    expect(packages(srcs, /^chevrotain$/).length).toBeGreaterThan(0);
    expect(packages(srcs, /^(@tensorflow\/.*|@resvg\/.*|pngjs|webgpu|cli-progress)$/)).toEqual([]);
    // The drawing code: the families' plot hooks import it when they draw (runtime/family.ts, FamilyPlot).
    expect(packages(srcs, /^(d3-.*|internmap)$/)).toEqual([]);
    expect(srcs.filter((s) => /^plot\/|^families\/[a-z-]+\/plot-[a-z-]*svg\.ts$/.test(s))).toEqual([]);
    expect(srcs.filter((s) => /^(cli\/commands\/(?!check\.ts)|cli\/(progress|png-grid|plot-file|repl)|api\/|runtime\/backend\/select\.ts)/.test(s))).toEqual([]);
  });

  it('pmix plot loads the drawing code (plot/, d3, the family\'s picture module) when it draws, so the trace would see it in check', () => {
    const dir = tempDir();
    const model = join(dir, 'toy.json');
    const fit = spawnSync(process.execPath, [bin, 'fit', 'examples/gp-toy.pmix', '--out', model, '--no-progress'], { cwd: root, encoding: 'utf8' });
    expect(fit.status, fit.stderr).toBe(0);
    const r = loads('plot', model, '--out', join(dir, 'toy.svg'));
    expect(r.code).toBe(0);
    const srcs = sources(r.modules);
    expect(packages(srcs, /^d3-scale$/).length).toBeGreaterThan(0);
    expect(srcs).toContain('plot/pictures.ts');
    expect(srcs).toContain('families/gp/plot-svg.ts');
    expect(readFileSync(join(dir, 'toy.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('pmix info loads TensorFlow.js when it needs it, so the trace would see it at start-up', () => {
    const r = loads('info', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(fromPackages(r.modules, /^@tensorflow\/tfjs-core$/).length).toBeGreaterThan(0);
  });
});
