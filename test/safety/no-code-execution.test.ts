// Model files, data and artifacts are data, never code: no eval or Function constructor anywhere
// in the sources or the built dist/, WebAssembly only in runtime/kernels' generated modules,
// artifacts parsed as JSON data without prototype pollution, and data paths resolved relative
// to the model file that names them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { PmixError } from '../../runtime/errors.js';
import { Session } from '../../session/session.js';
import { compileOk, tempDir } from '../helpers/programs.js';
import { bundleFiles, originAt } from '../helpers/bundle-sources.js';

const root = new URL('../../', import.meta.url).pathname;
const SOURCE_DIRS = ['language', 'compiler', 'runtime', 'circuits', 'stdlib', 'cli', 'api', 'scripts', 'dist'];

function files(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|js|mjs|cjs)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// chevrotain's published one-file bundle, copied into dist/ by scripts/postbuild.mjs (CLI start-up);
// checked on its own below, as the package's own code it is.
const VENDORED = join(root, 'dist/vendor/chevrotain.mjs');
// The bundled CLI (scripts/bundle-cli.mjs) inlines packages; its files are checked below by where
// each use came from (their source maps).
const BUNDLE = bundleFiles();
const all = SOURCE_DIRS.flatMap((d) => files(join(root, d))).filter((f) => f !== VENDORED && !BUNDLE.includes(f));
const CODE_FROM_STRINGS = /(^|[^\w.$])eval\s*\(|new\s+Function\s*\(|(^|[^\w.$])Function\s*\(\s*['"`]|node:vm['"]/gm;

describe('no code execution from strings', () => {
  it('the tree has sources and a build to check', () => {
    expect(all.some((f) => f.includes('/dist/'))).toBe(true);
    expect(all.length).toBeGreaterThan(50);
  });

  it('no eval( and no Function constructor in the sources or dist/', () => {
    const bad = all.filter((f) => new RegExp(CODE_FROM_STRINGS.source, 'm').test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it("the vendored chevrotain is the package's published bundle, whose one Function() is lodash's constant global-object lookup", () => {
    const published = join(dirname(createRequire(import.meta.url).resolve('chevrotain')), '../chevrotain.mjs');
    const text = readFileSync(VENDORED, 'utf8');
    expect(text === readFileSync(published, 'utf8')).toBe(true);
    const uses = [...text.matchAll(CODE_FROM_STRINGS)].map((m) => text.slice(m.index!, m.index! + 40));
    expect(uses).toHaveLength(1);
    expect(uses[0]).toContain('Function("return this")();');
  });

  it('WebAssembly is compiled only by runtime/kernels (its generated modules)', () => {
    const users = all.filter((f) => /WebAssembly\.(Module|Instance|instantiate|compile)/.test(readFileSync(f, 'utf8')));
    expect(users.length).toBeGreaterThan(0);
    for (const f of users) expect(relative(root, f)).toMatch(/^(dist\/)?runtime\/kernels\//);
  });

  it("the bundled CLI: its one Function() is lodash's global-object lookup, its WebAssembly is runtime/kernels'", () => {
    expect(BUNDLE.length).toBeGreaterThan(5);
    const uses: { what: string; from: string | undefined }[] = [];
    for (const f of BUNDLE) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(CODE_FROM_STRINGS)) uses.push({ what: text.slice(m.index!, m.index! + 30), from: originAt(f, text, m.index! + m[0].length - 1) });
      for (const m of text.matchAll(/WebAssembly\.(Module|Instance|instantiate|compile)/g)) uses.push({ what: m[0], from: originAt(f, text, m.index!) });
    }
    const fromStrings = uses.filter((u) => !u.what.startsWith('WebAssembly'));
    expect(fromStrings).toHaveLength(1);
    expect(fromStrings[0]!.what).toMatch(/^.?Function\(.return this.\)\(\)/);
    expect(fromStrings[0]!.from).toBe('pkg:lodash-es');
    const wasm = uses.filter((u) => u.what.startsWith('WebAssembly'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const u of wasm) expect(u.from).toMatch(/^runtime\/kernels\//);
  });
});

describe('artifacts are data', () => {
  const valid = serializeArtifact(new Session(compileOk('model G(x) = Normal(mean = 0, sd = 1)')).artifact('G'));

  it.each([
    ['a __proto__ key at the top', valid.replace('{', '{"__proto__": {"polluted": "yes"}, ')],
    ['a __proto__ key deep inside', valid.replace('"params": {', '"params": {"__proto__": {"polluted": "yes", "value": [1]}, ')],
    ['constructor.prototype', valid.replace('{', '{"constructor": {"prototype": {"polluted": "yes"}}, ')],
    ['an escaped __proto__ key', valid.replace('{', '{"\\u005f_proto__": {"polluted": "yes"}, ')],
  ])('%s is refused and Object.prototype stays clean', (_, text) => {
    expect(() => readArtifact(text, 'evil.json')).toThrow(PmixError);
    expect(() => readArtifact(text, 'evil.json')).toThrow(/forbidden key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

describe('data paths in model files', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'models/data'), { recursive: true });
  writeFileSync(join(dir, 'models/data/d.csv'), 'x\n1\n2\n3\n4\n');
  const file = join(dir, 'models/m.pmix');
  writeFileSync(file, 'data d from "data/d.csv" { x: real }\nmodel M = Normal\nfit M on d by em()\n');

  it('resolve relative to the model file, not the working directory', () => {
    const { program } = compile(readFileSync(file, 'utf8'), file);
    expect(program!.data.get('d')!.path).toBe(join(dir, 'models/data/d.csv'));
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', 'models/m.pmix'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const elsewhere = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'check', file], { cwd: tempDir(), encoding: 'utf8' });
    expect(elsewhere.status).toBe(0);
  });

  it('a path that escapes upwards still names the model file and the path on failure', () => {
    const { program } = compile('data d from "../nowhere/d.csv" { x: real }', file);
    const diags = new Session(program!).check();
    expect(diags).toEqual([]); // nothing uses the data set
    expect(program!.data.get('d')!.path).toBe(join(dir, 'nowhere/d.csv'));
  });
});
