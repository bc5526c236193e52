// What the built CLI loads at start-up, recorded by a module-loader hook (not timed): `pmix
// --version` loads commander and nothing of the compiler or runtime; `pmix check` parses with
// chevrotain's one-file bundle (dist/vendor, scripts/postbuild.mjs), not the package entry and
// its ~640 lodash-es modules, and neither command loads TensorFlow.js or the PNG renderer.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

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

describe('start-up loads (module-loader trace)', () => {
  it('pmix --version loads commander and none of the compiler, runtime or heavy packages', () => {
    const r = loads('--version');
    expect(r.code).toBe(0);
    expect(fromPackages(r.modules, /^commander$/).length).toBeGreaterThan(0); // the trace does see packages
    expect(fromPackages(r.modules, HEAVY)).toEqual([]);
    const ours = r.modules.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/') + 1));
    expect(ours.filter((f) => !/^dist\/(cli\/(main|exit|pipe)|platform\/version)\.js$/.test(f))).toEqual([]);
  });

  it('pmix check parses with the vendored chevrotain bundle and loads no TensorFlow.js, resvg or lodash-es', () => {
    const r = loads('check', 'examples/faithful.pmix');
    expect(r.code).toBe(0);
    expect(r.modules.some((u) => u.endsWith('/dist/vendor/chevrotain.mjs'))).toBe(true);
    expect(r.modules.some((u) => u.endsWith('/dist/compiler/compile.js'))).toBe(true); // it did the work
    expect(fromPackages(r.modules, /^(chevrotain|lodash-es|@chevrotain\/.*|@tensorflow\/.*|@resvg\/.*)$/)).toEqual([]);
  });

  it('pmix info loads TensorFlow.js when it needs it, so the trace would see it at start-up', () => {
    const r = loads('info', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(fromPackages(r.modules, /^@tensorflow\/tfjs-core$/).length).toBeGreaterThan(0);
  });
});
