// The examples' comments state numbers a reader checks the output against: they must be true.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/** The density of x = tanh(2 z) + 0.2 e, z ~ U(-1, 1), e ~ N(0, 1) (scripts/make-wave.py), by Simpson's rule over z. */
function waveDensity(x: number): number {
  const n = 20000;
  const h = 2 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const z = -1 + i * h;
    const f = Math.exp(-0.5 * ((x - Math.tanh(2 * z)) / 0.2) ** 2) / (0.2 * Math.sqrt(2 * Math.PI)) / 2;
    s += f * (i === 0 || i === n ? 1 : i % 2 ? 4 : 2);
  }
  return (s * h) / 3;
}

describe('example comments', () => {
  it("wave.pmix: the true densities it states are the generator's, and the fit comes close to what it says", () => {
    const text = readFileSync(join(root, 'examples/wave.pmix'), 'utf8');
    const m = /true density .* is ([\d.]+) at x = 0 and ([\d.]+) at\s*\/\/ x = 0\.9/s.exec(text)!;
    expect(Number(m[1])).toBeCloseTo(waveDensity(0), 3);
    expect(Number(m[2])).toBeCloseTo(waveDensity(0.9), 3);
    const fitted = /The fitted model gives about (\d[\d.]*\d) and (\d[\d.]*\d)/.exec(text)!;
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', 'examples/wave.pmix', '--json', '--no-progress'], { cwd: root, encoding: 'utf8' });
    const q = JSON.parse(r.stdout).queries;
    expect(Math.abs(q[0].answer.value - Number(fitted[1]))).toBeLessThan(0.01);
    expect(Math.abs(q[1].answer.value - Number(fitted[2]))).toBeLessThan(0.01);
  });

  it('cars.pmix: cylinders has a categorical leaf, and its comment counts match the data', () => {
    const text = readFileSync(join(root, 'examples/cars.pmix'), 'utf8');
    expect(text).toMatch(/cylinders: Categorical/);
    const rows = readFileSync(join(root, 'examples/data/cars.csv'), 'utf8').trim().split('\n');
    const col = rows[0]!.split(',').indexOf('cylinders');
    const counts = new Map<string, number>();
    for (const r of rows.slice(1)) counts.set(r.split(',')[col]!, (counts.get(r.split(',')[col]!) ?? 0) + 1);
    const stated = /\((\d+), (\d+), (\d+), (\d+),\s*\/\/ (\d+) cars\)/.exec(text)!.slice(1).map(Number);
    expect(stated).toEqual(['3', '4', '5', '6', '8'].map((k) => counts.get(k)));
    expect(counts.get('4')! / (rows.length - 1)).toBeCloseTo(0.51, 2);
  });
});
