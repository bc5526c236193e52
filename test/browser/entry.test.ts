// The browser entry without a browser: its bundle (Vite, browser platform) reaches no node:
// module, compile with CSV text fits as the file does, and the pure-JS stand-ins (SHA-256,
// POSIX paths) agree with Node's.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';
import { compile as compileBrowser, PmixInputError } from '../../api/browser.js';
import { compile } from '../../api/index.js';
import { posixPath } from '../../platform/host.js';
import { sha256Hex } from '../../runtime/sha256.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PENGUINS = readFileSync(`${REPO}examples/penguins.pmix`, 'utf8');
const CSV = readFileSync(`${REPO}examples/data/penguins.csv`, 'utf8');

describe('browser entry', () => {
  it('bundles for the browser without any node: module', async () => {
    const out = (await build({
      configFile: false,
      root: REPO,
      logLevel: 'silent',
      build: { write: false, lib: { entry: `${REPO}api/browser.ts`, formats: ['es'], fileName: 'pmix' }, minify: false },
    })) as Rollup.RollupOutput[];
    const chunks = out.flatMap((o) => o.output).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
    const ids = chunks.flatMap((c) => c.moduleIds);
    expect(ids.some((id) => id.endsWith('api/browser.ts'))).toBe(true);
    expect(ids.filter((id) => id.startsWith('node:') || id.includes('browser-external'))).toEqual([]);
    expect(ids.filter((id) => id.includes('csv-parse')).every((id) => id.includes('/dist/esm/'))).toBe(true);
    const code = chunks.map((c) => c.code).join('\n');
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/@tensorflow/);
  }, 60_000);

  it('fits on CSV text as the Node entry fits on the file', () => {
    const viaText = compileBrowser(PENGUINS, { data: { penguins: CSV } }).run();
    const viaFile = compile(PENGUINS, { file: `${REPO}examples/penguins.pmix` }).run();
    expect(viaText.fits[0]!.mean_log_likelihood).toBe(viaFile.fits[0]!.mean_log_likelihood);
    expect(viaText.queries.map((q) => q.answer)).toEqual(viaFile.queries.map((q) => q.answer));
    const viaNodeText = compile(PENGUINS, { data: () => CSV }).run();
    expect(viaNodeText.fits[0]!.mean_log_likelihood).toBe(viaFile.fits[0]!.mean_log_likelihood);
  });

  it('reports bad CSV text with row and column', () => {
    const bad = CSV.replace('39.1,18.7', '39.1,deep');
    expect(() => compileBrowser(PENGUINS, { data: { penguins: bad } })).toThrow(PmixInputError);
    expect(() => compileBrowser(PENGUINS, { data: { penguins: bad } })).toThrow(/row 1, column 'bill_depth_mm'/);
  });

  it('hashes as node:crypto does', () => {
    for (const s of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'héllo ✓ 𝄞'.repeat(40), PENGUINS]) {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s).digest('hex'));
    }
  });

  it('does POSIX path operations as node:path does for absolute paths', () => {
    const cases: [string, string][] = [['/a/b', 'c/d.csv'], ['/a/b/', '../x.csv'], ['/a', '/abs/y.csv'], ['/', './z.csv'], ['/a/b', '../../../q']];
    for (const [dir, p] of cases) expect(posixPath.resolve(dir, p)).toBe(posix.resolve(dir, p));
    for (const p of ['/a/b/c.pmix', '/a', 'a/b', 'a', '/a/b/']) expect(posixPath.dirname(p)).toBe(posix.dirname(p));
    for (const [a, b] of [['/a/b', '/a/b/c/d'], ['/a/b', '/a/x'], ['/a', '/a']] as const) expect(posixPath.relative(a, b)).toBe(posix.relative(a, b));
    // Without a working directory, relative paths stay relative.
    expect(posixPath.resolve('.', 'data/penguins.csv')).toBe('data/penguins.csv');
    expect(posixPath.resolve('a/b', '../c')).toBe('a/c');
  });
});
