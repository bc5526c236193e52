// Resource limits through the `pmix` command: `check --cost` prints each fit's estimate,
// fit and run refuse (exit 1, estimate in the message, nothing written) over --max-memory or
// PMIX_MAX_MEMORY, and an absurd k is refused at once, before anything is allocated.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PMIX_MAX_MEMORY: '', ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}

/** A model file over 50 real columns (a header-only CSV is enough for check and lowering). */
function wide(k: string): string {
  const dir = tempDir();
  const cols = Array.from({ length: 50 }, (_, i) => `c${i}`);
  writeFileSync(join(dir, 'w.csv'), `${cols.join(',')}\n${cols.map((_, i) => i).join(',')}\n`);
  const file = join(dir, 'w.pmix');
  writeFileSync(file, `data w from "w.csv" { ${cols.map((c) => `${c}: real`).join(', ')} }\nmodel M = mixture(k = ${k}) of Normal(full)\nfit M on w by em()\n`);
  return file;
}

describe('pmix check --cost', () => {
  it('prints parameters, bytes per row and the total for the data set', () => {
    const r = pmix(['check', 'examples/penguins.pmix', '--cost']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fit Penguins on penguins by em: 63 parameter values \(.+ with working copies\), \d+ B per row, 344 rows: about [\d.]+ KiB in all \(limit .+\)/);
    const j = JSON.parse(pmix(['check', 'examples/penguins.pmix', '--cost', '--json', '--max-memory', '1MB']).out);
    expect(j.cost[0]).toMatchObject({ model: 'Penguins', rows: 344, parameters: 63, limit: 1e6 });
    expect(j.cost[0].bytes).toBe(j.cost[0].parameterBytes + 344 * j.cost[0].bytesPerRow);
  });

  it('flags a fit over the limit', () => {
    const r = pmix(['check', 'examples/penguins.pmix', '--cost', '--max-memory', '10KB']);
    expect(r.out).toMatch(/OVER the limit of 9.77 KiB/);
  });
});

describe('fits over the limit are refused', () => {
  it('pmix fit --max-memory: exit 1, the estimate in the message, no output', () => {
    const out = join(tempDir(), 'm.json');
    const r = pmix(['fit', 'examples/penguins.pmix', '--out', out, '--max-memory', '50KB']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: fitting Penguins on penguins needs an estimated [\d.]+ KiB \(63 parameter values, \d+ B per row x 344 rows\), over the limit of 48.8 KiB/);
    expect(r.err).toMatch(/hint: .*--max-memory/);
    expect(existsSync(out)).toBe(false);
  });

  it('pmix run honours PMIX_MAX_MEMORY; a bad size is a usage error', () => {
    expect(pmix(['run', 'examples/penguins.pmix'], { PMIX_MAX_MEMORY: '20KiB' }).code).toBe(1);
    const bad = pmix(['run', 'examples/penguins.pmix', '--max-memory', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--max-memory expects a size such as 8GB, 512MiB or 1e9, got 'lots'");
  });

  it('mixture(k = 100000000) of Normal(full) over 50 columns is refused at once, on k', () => {
    const file = wide('100000000');
    for (const cmd of [['check'], ['run'], ['fit', '--out', join(tempDir(), 'x.json')]]) {
      const r = pmix([cmd[0]!, file, ...cmd.slice(1)]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/w\.pmix:2:19: error: this mixture would have 100,000,000 components in all/);
      expect(r.ms).toBeLessThan(10_000);
    }
  });

  it('a k whose fit would exceed the limit is refused with the estimate', () => {
    const r = pmix(['fit', wide('1000'), '--out', join(tempDir(), 'x.json'), '--max-memory', '50MB']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/needs an estimated [\d.]+ MiB \(2,551,000 parameter values, [\d.]+ KiB per row x 1 rows\), over the limit of 47.7 MiB/);
  });
});
