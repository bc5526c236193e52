// Model files, data and artifacts are data, never code: no eval or Function constructor anywhere
// in the sources or the built dist/, direct or indirect (found on the syntax tree:
// test/helpers/code-from-strings.ts), workers run from source text only from our constant
// WORKER_SRC modules, WebAssembly only in runtime/kernels' generated modules,
// artifacts parsed as JSON data without prototype pollution, and data paths resolved relative
// to the model file that names them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { PmixError } from '../../runtime/errors.js';
import { Session } from '../../session/session.js';
import { compileOk, tempDir } from '../helpers/programs.js';
import { bundleFiles, originAt, sourcesOf } from '../helpers/bundle-sources.js';
import { findCodeFromStrings, type CodeFromString } from '../helpers/code-from-strings.js';

const root = new URL('../../', import.meta.url).pathname;
const SOURCE_DIRS = ['ir', 'platform', 'plot', 'language', 'stdlib', 'circuits', 'compiler', 'runtime', 'families', 'session', 'cli', 'api', 'playground', 'scripts', 'bench', 'dist'];

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

  it('no eval( and no Function constructor in the sources or dist/ (the pattern, direct uses)', () => {
    const bad = all.filter((f) => !f.endsWith('bench/lib/webgpu-page.mjs') && new RegExp(CODE_FROM_STRINGS.source, 'm').test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it('no code from strings in the sources or dist/, indirect uses included: only the thread pools start workers from their constant WORKER_SRC', () => {
    const found = all.flatMap((f) => findCodeFromStrings(readFileSync(f, 'utf8'), f).map((u) => ({ file: relative(root, f), ...u })));
    const pools = /^(dist\/)?runtime\/(kernels\/(gmm-diag|cholesky)-engine|evaluate-threads)\.(ts|js)$/;
    const workers = found.filter((u) => u.kind === 'worker-eval' && pools.test(u.file) && u.source === 'WORKER_SRC');
    expect(workers).toHaveLength(6); // three pools, in the sources and in dist/
    // bench/lib/webgpu-page.mjs runs a bench case's own function, sent as its source text, in the
    // headless browser page (page.evaluate cannot send functions); the bench is not shipped.
    const bench = found.filter((u) => u.file === 'bench/lib/webgpu-page.mjs' && u.kind === 'eval' && u.text === 'eval');
    expect(bench).toHaveLength(1);
    expect(found.filter((u) => !workers.includes(u) && !bench.includes(u)).map((u) => `${u.file}: ${u.kind}: ${u.text}`)).toEqual([]);
  });

  it("each pool's WORKER_SRC is made once, at its module's load, of the module's constants and function sources", () => {
    // No model, data or artifact exists when these module-level templates are evaluated: their
    // substitutions are UPPER_CASE constants (W.GEN, CTL_BYTES / 4, JSON.stringify(C)) and
    // fn.toString() of the module's own functions.
    let checked = 0;
    for (const mod of ['runtime/kernels/gmm-diag-threads.ts', 'runtime/kernels/cholesky-threads.ts', 'runtime/evaluate-worker.ts']) {
      const sf = ts.createSourceFile(mod, readFileSync(join(root, mod), 'utf8'), ts.ScriptTarget.Latest, true);
      const own = new Set(sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name?.text));
      const decl = sf.statements.filter(ts.isVariableStatement).flatMap((v) => v.declarationList.declarations).find((d) => d.name.getText(sf) === 'WORKER_SRC');
      expect(decl, mod).toBeDefined();
      expect(decl!.parent.flags & ts.NodeFlags.Const, mod).toBeTruthy();
      const init = decl!.initializer!;
      expect(ts.isTemplateExpression(init) || ts.isNoSubstitutionTemplateLiteral(init), mod).toBe(true);
      const spans = ts.isTemplateExpression(init) ? init.templateSpans.map((t) => t.expression) : [];
      checked += spans.length;
      const fine = (e: ts.Expression): boolean => {
        const t = e.getText(sf);
        const fnSource = /^(\w+)\.toString\(\)$/.exec(t);
        if (fnSource) return own.has(fnSource[1]);
        return /^(JSON\.stringify\()?[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)?( \/ \d+)?\)?$/.test(t);
      };
      expect(spans.filter((e) => !fine(e)).map((e) => `${mod}: \${${e.getText(sf)}}`)).toEqual([]);
    }
    expect(checked).toBeGreaterThan(10); // the templates do splice constants and functions in
  });

  it('the syntax-tree finder catches the indirect forms and leaves what only says eval', () => {
    const kinds = (code: string, file = 'x.ts'): string[] => findCodeFromStrings(code, file).map((u: CodeFromString) => u.kind);
    expect(kinds('eval("1")')).toEqual(['eval']);
    expect(kinds('(0, eval)("1")')).toEqual(['eval']);
    expect(kinds('var evil = eval; evil("1")', 'x.js')).toEqual(['eval']); // @stdlib/utils-eval's form
    expect(kinds('globalThis.eval("1"); window["eval"]("1")')).toEqual(['global-eval', 'global-eval']);
    expect(kinds('new Function("a", "return a")')).toEqual(['function-constructor']);
    expect(kinds('Function(`return this`)()')).toEqual(['function-constructor']);
    expect(kinds('const F = Function; Function.call(0, "x"); Function.prototype.constructor("x")').sort()).toEqual(['constructor-call', 'function-constructor', 'function-constructor', 'function-constructor']);
    expect(kinds('var Fcn = Function; new Fcn(f)', 'x.js')).toEqual(['function-constructor']); // @stdlib/function-ctor's form
    expect(kinds('(() => 0).constructor("return 1")')).toEqual(['constructor-call']);
    expect(kinds('setTimeout("run()", 1); setTimeout(() => 0, 1)')).toEqual(['string-timer']);
    expect(kinds("import vm from 'node:vm'; await import('vm')")).toEqual(['vm', 'vm']);
    expect(kinds('new wt.Worker(src, { eval: true }); new Worker(url, { type: "module" })')).toEqual(['worker-eval']);
    // Not code from strings: strings and keys that say eval, types, comparisons, reads of Function.prototype.
    expect(kinds("materialize(g, 'eval'); const o = { eval: (input: string) => input }; opts.eval; // eval(x)")).toEqual([]);
    expect(kinds('let f: Function; x instanceof Function; Function.prototype.toString.call(f); /* new Function() */')).toEqual([]);
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
    // The same on the syntax tree, indirect uses included: lodash's one, and the pools' workers.
    const found = BUNDLE.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return findCodeFromStrings(text, f).map((u) => ({ kind: u.kind, text: u.text, from: originAt(f, text, u.pos) }));
    });
    expect(found.filter((u) => u.kind !== 'worker-eval')).toEqual([{ kind: 'function-constructor', text: 'Function', from: 'pkg:lodash-es' }]);
    const workers = found.filter((u) => u.kind === 'worker-eval');
    expect(workers.map((u) => u.from).sort()).toEqual(['runtime/evaluate-threads.ts', 'runtime/kernels/cholesky-engine.ts', 'runtime/kernels/gmm-diag-engine.ts']);
    // @stdlib's generator probe (an indirect eval, @stdlib/utils-eval) and evalpoly's compiling
    // factory (@stdlib/function-ctor) are bundled around (scripts/bundle-cli.mjs); the tools stay.
    const pkgs = new Set(BUNDLE.flatMap(sourcesOf).filter((s) => s.startsWith('pkg:@stdlib/')));
    expect([...pkgs].filter((s) => /^pkg:@stdlib\/(utils-eval|assert-has-generator-support|function-ctor)$/.test(s))).toEqual([]);
    expect([...pkgs].filter((s) => /^pkg:@stdlib\/math-base-tools-(continued-fraction|sum-series|evalpoly)$/.test(s)).sort()).toEqual(['pkg:@stdlib/math-base-tools-continued-fraction', 'pkg:@stdlib/math-base-tools-evalpoly', 'pkg:@stdlib/math-base-tools-sum-series']);
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
