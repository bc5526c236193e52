// What `npm pack` ships (read from `npm pack --dry-run --json`, nothing packed): the CLI's
// bundle (main.js and its chunks, scripts/bundle-cli.mjs) but not tsc's unbundled dist/cli/*
// that nothing loads; every module the package's exports, main, types and bin reach through
// their imports (walked here over dist/), the evaluation workers' modules included; and source
// maps with positions only (no embedded sources).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFiles, root } from '../helpers/bundle-sources.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The files `npm pack` would put in the tarball (no build: prepack is skipped). */
function packed(): Set<string> {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const [entry] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return new Set(entry!.files.map((f) => f.path));
}

// Relative module specifiers: static imports and re-exports, dynamic imports, and the
// `new URL('./x.js', ...)` by which runtime/evaluate-threads.ts names its workers' modules.
// (A `new URL` on another base, the bundle's nested one, is reached through its base.)
const SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"`])(\.{1,2}\/[^'"`]+)\1|new URL\(\s*(['"`])(\.{1,2}\/[^'"`]+)\3\s*,\s*import\.meta\.url\s*\)/g;

/** Every file of dist/ that the given files reach through relative specifiers (them included). */
function reach(starts: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...starts];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const abs = join(root, file);
    if (!existsSync(abs)) continue; // reported as missing by the caller
    for (const m of readFileSync(abs, 'utf8').matchAll(SPECIFIERS)) {
      let target = relative(root, resolve(dirname(abs), (m[2] ?? m[4])!));
      if (file.endsWith('.d.ts')) target = target.replace(/\.js$/, '.d.ts');
      todo.push(target);
    }
  }
  return seen;
}

/** The entries package.json names: exports (every condition), main, types, bin. */
function entries(): string[] {
  const out: string[] = [pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>)];
  for (const conds of Object.values(pkg.exports as Record<string, Record<string, string>>)) out.push(...Object.values(conds));
  return out.map((p) => p.replace(/^\.\//, ''));
}

describe('the tarball (npm pack --dry-run)', () => {
  const files = packed();

  it("ships the CLI's bundle and none of tsc's unbundled dist/cli modules", () => {
    const cli = [...files].filter((f) => f.startsWith('dist/cli/'));
    const bundle = bundleFiles().map((f) => relative(root, f));
    expect(bundle).toContain('dist/cli/main.js');
    expect(bundle.length).toBeGreaterThan(5);
    expect(bundle.filter((f) => existsSync(join(root, `${f}.map`))).length).toBeGreaterThan(5); // rolldown's runtime helpers have none
    for (const f of bundle) {
      expect(files).toContain(f);
      if (existsSync(join(root, `${f}.map`))) expect(files).toContain(`${f}.map`); // --debug's stack traces
    }
    // tsc emits dist/cli/commands/*.js, dist/cli/io.js, ... beside the bundle: none may ship.
    expect(existsSync(join(root, 'dist/cli/commands/check.js'))).toBe(true);
    expect(cli.filter((f) => !f.startsWith('dist/cli/bundle/') && f !== 'dist/cli/main.js' && f !== 'dist/cli/main.js.map')).toEqual([]);
  });

  it('ships every entry package.json names and every module they import, the workers included', () => {
    const named = entries();
    expect(named).toEqual(expect.arrayContaining(['dist/api/index.js', 'dist/api/index.d.ts', 'dist/api/browser.js', 'dist/api/browser.d.ts', 'dist/cli/main.js']));
    const needed = reach(named);
    expect(needed).toContain('dist/runtime/evaluate.js'); // through evaluate-threads.js's new URL(...)
    expect(needed).toContain('dist/vendor/chevrotain.mjs'); // postbuild's rewritten parser import
    expect([...needed].filter((f) => f.endsWith('.d.ts') && !f.startsWith('dist/api/')).length).toBeGreaterThan(5); // the API's types reach others'
    expect(needed.size).toBeGreaterThan(200);
    expect([...needed].filter((f) => !existsSync(join(root, f)))).toEqual([]); // the walk resolves real files
    expect([...needed].filter((f) => !files.has(f))).toEqual([]);
  });

  it('ships source maps without embedded sources, and the licences and docs', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(100);
    const embedding = maps.filter((f) => JSON.parse(readFileSync(join(root, f), 'utf8')).sourcesContent !== undefined);
    expect(embedding).toEqual([]);
    for (const f of ['package.json', 'LICENSE', 'CHANGELOG.md', 'README.md', 'dist/vendor/chevrotain.LICENSE.txt', 'docs/language.md', 'examples/faithful.pmix']) expect(files).toContain(f);
  });
});
