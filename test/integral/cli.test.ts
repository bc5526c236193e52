// End-to-end: the pmix command on the continuous-mixture example (built dist/cli/main.js):
// fit the integral unit, score held-out rows against the true density, check reports the
// quadrature and the analytic pass, and a closed form that goes bad is reported at its place.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('pmix with integral models', () => {
  it('fits examples/wave.pmix and scores the test rows near the true density', () => {
    const dir = tempDir();
    const model = join(dir, 'wave.json');
    const f = pmix('fit', 'examples/wave.pmix', '--model', 'Wave', '--out', model, '--no-progress', '--json');
    expect(f.code).toBe(0);
    expect(JSON.parse(f.out).fit.parameters).toBe(346);
    const s = pmix('score', model, '--data', 'examples/data/wave-test.csv', '--json');
    expect(s.code).toBe(0);
    // The true density's test mean log-likelihood is -0.9196 (numerical integral, scripts/make-wave.py's model).
    const ll = JSON.parse(s.out).mean_log_likelihood;
    expect(ll).toBeGreaterThan(-0.935);
    expect(ll).toBeLessThan(-0.9);
    // Another quadrature size for the same functions: close to the default (128 points).
    const fine = pmix('score', model, '--data', 'examples/data/wave-test.csv', '--json', '--points', '512');
    expect(fine.code).toBe(0);
    expect(Math.abs(JSON.parse(fine.out).mean_log_likelihood - ll)).toBeLessThan(0.01);
    const q = pmix('query', model, 'p(x = 0)', '--points', '64', '--json');
    expect(q.code).toBe(0);
    expect(pmix('score', model, '--data', 'examples/data/wave-test.csv', '--points', '0').code).toBe(2);
    const big = pmix('score', model, '--data', 'examples/data/wave-test.csv', '--points', '9999');
    expect(big.code).toBe(1);
    expect(big.err).toMatch(/--points 9999: .*4096/);
  }, 60_000);

  it('check reports the quadrature, the analytic pass, and bad closed forms at their place', () => {
    const dir = tempDir();
    const file = join(dir, 'm.pmix');
    writeFileSync(file, 'model FA(x, y) = integral z: normal of product {\n  x: Normal(mean = 2 * z + 1, sd = 0.5 fixed),\n  y: Normal(mean = 3 - z, sd = 1 fixed)\n}\nmodel W(x) = integral z: real in [0, 1] by midpoint(points = 20) of Normal(mean = z, sd = 0.3)\n');
    const c = pmix('check', file);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/FA: integral solved analytically: Normal\(full\) over 2 variables/);
    expect(c.out).toMatch(/W: integral circuit with 1 continuous latent\(s\), midpoint with 20 points/);
    expect(c.out).toMatch(/W: integral by quadrature: the latent is uniform on an interval/);
    writeFileSync(file, 'model B(x) = integral z: real in [0, 1] of\n  Normal(mean = z, sd = z - 0.5)\n');
    const bad = pmix('check', file);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/m\.pmix:2:3: error: Normal's sd is -0\.\d+ at the latent value/);
    expect(bad.err).not.toMatch(/\n\s+at /); // no stack trace
  });
});
