// Resource limits of exact GPs (issue 22, "Resource limits"): a fit estimates its time from the
// Cholesky's n^3/3 flops per L-BFGS step and refuses, before any work, what exceeds the time
// limit (--max-time / PMIX_MAX_TIME / SessionOptions.maxSeconds); `pmix check --cost` prints the
// estimate; an artifact whose training set would not factor in seconds is refused on load,
// naming the field. No test here factors a large matrix: every refusal comes first.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { DEFAULT_MAX_FIT_SECONDS, GP_ARTIFACT_MAX_POINTS, GP_STEP_RATE, gpTimeEstimate } from '../../runtime/gp/cost.js';
import { tempDir, writeCsv } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PMIX_MAX_TIME: '', ...env }, timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function gpFile(dir: string, n: number, fit = 'lbfgs(restarts = 1)'): string {
  const rows = Array.from({ length: n }, (_, i) => [(i * 7919) % n / n * 10, Math.sin(i)]);
  const csv = writeCsv(['x', 'y'], rows, dir);
  const file = join(dir, 'm.pmix');
  writeFileSync(file, `data d from "${csv}" { x: real, y: real }\nmodel G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.1 }\nfit G on d by ${fit}\n`);
  return file;
}

describe('time estimate of an exact GP fit', () => {
  it('is n^3/3 per step at the measured rate, times max_iter and restarts', () => {
    const t = gpTimeEstimate(20000, 200, 3);
    expect(t.stepSeconds).toBeCloseTo(20000 ** 3 / 3 / GP_STEP_RATE, 9);
    expect(t.seconds).toBeCloseTo((600 * 20000 ** 3) / 3 / GP_STEP_RATE, 6);
    // The case: 20,000 points are hours, far over the default limit; 500 points are not.
    expect(t.seconds).toBeGreaterThan(3600);
    expect(gpTimeEstimate(500, 200, 3).seconds).toBeLessThan(DEFAULT_MAX_FIT_SECONDS);
  });
});

describe('exact GP fits over the time limit', () => {
  it('refuses 20,000 points before any work, with the estimate and a hint to sparse GPs', () => {
    const dir = tempDir();
    const r = pmix(['fit', gpFile(dir, 20000), '--out', join(dir, 'g.json'), '--no-progress']);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(70);
    expect(r.err).toMatch(/fitting the exact GP G on d \(20,000 points\) needs about .* per L-BFGS step/);
    expect(r.err).toMatch(/over the time limit of 60 min/);
    expect(r.err).toMatch(/inference = sparse/);
    expect(r.err).toMatch(/--max-time/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('honours --max-time and PMIX_MAX_TIME both ways, and refuses a malformed limit', () => {
    const dir = tempDir();
    const file = gpFile(dir, 60);
    const out = join(dir, 'g.json');
    // 60 points x 200 steps: about 2.6 ms at the measured rate; 1 ms is too little.
    const tight = pmix(['fit', file, '--out', out, '--no-progress', '--max-time', '0.001']);
    expect(tight.code).not.toBe(0);
    expect(tight.err).toMatch(/over the time limit of 1 ms/);
    expect(pmix(['fit', file, '--out', out, '--no-progress'], { PMIX_MAX_TIME: '0.001' }).err).toMatch(/over the time limit/);
    expect(pmix(['fit', file, '--out', out, '--no-progress', '--max-time', '10m']).code).toBe(0);
    const bad = pmix(['fit', file, '--out', out, '--no-progress', '--max-time', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-time expects seconds such as 600/);
  });

  it('is refused through the API as well (default limit), naming the points', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => ({ x: (i * 7919) % 20000, y: Math.sin(i) }));
    const m = compile('model G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.1 }').model('G');
    await expect(m.fit(rows, { method: 'lbfgs' })).rejects.toThrow(/20,000 points.*over the time limit/);
  });

  it('pmix check --cost prints the time estimate and the limit', () => {
    const dir = tempDir();
    const file = gpFile(dir, 3000, 'lbfgs(restarts = 2, max_iter = 100)');
    // 2 x 100 steps of n^3/3 = 9e9 flops: about 5.5 min at 5.5e9 per second, over a 5 min limit.
    const r = pmix(['check', file, '--cost', '--max-time', '5m']);
    expect(r.code).toBe(0);
    const sec = (2 * 100 * 3000 ** 3) / 3 / GP_STEP_RATE;
    expect(r.out).toMatch(/time: about .* per L-BFGS step \(a 3,000 x 3,000 Cholesky, 9\.00e\+9 flops/);
    expect(r.out).toMatch(/up to .* for 100 steps x 2 restarts, OVER the time limit of 5 min/);
    const j = JSON.parse(pmix(['check', file, '--cost', '--json', '--max-time', '1h']).out);
    expect(j.cost[0].seconds).toBeCloseTo(sec, 6);
    expect(j.cost[0].time_limit).toBe(3600);
  });
});

describe('loading a saved exact GP with too many training points', () => {
  it(`refuses more than ${GP_ARTIFACT_MAX_POINTS.toLocaleString('en-US')} points, naming the field, before factoring`, () => {
    const dir = tempDir();
    const small = join(dir, 'small.json');
    expect(pmix(['fit', gpFile(dir, 30), '--out', small, '--no-progress']).code).toBe(0);
    const a = JSON.parse(readFileSync(small, 'utf8'));
    const make = (n: number): string => {
      const b = structuredClone(a);
      b.ir.params['n0.train_x'].shape = [n, 1];
      b.ir.params['n0.train_x'].value = Array.from({ length: n }, (_, i) => i / 100);
      b.ir.params['n0.train_y'].shape = [n];
      b.ir.params['n0.train_y'].value = Array.from({ length: n }, (_, i) => Math.sin(i / 100));
      const f = join(dir, `big-${n}.json`);
      writeFileSync(f, JSON.stringify(b));
      return f;
    };
    for (const cmd of [['query', make(20000), 'p(y | x = 1)'], ['score', make(20000), '--data', writeCsv(['x', 'y'], [[1, 0]], dir, 's.csv')]]) {
      const r = pmix(cmd);
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBe(70);
      expect(r.err).toMatch(/ir\.nodes\[0\]\.inference\.train/);
      expect(r.err).toMatch(/20,000 training points/);
      expect(r.err).toMatch(/at most 5,000/);
      expect(r.err).toMatch(/sparse/);
    }
    // Just over the cap is refused as well; the cap itself is what the fit's artifact may carry.
    expect(pmix(['query', make(GP_ARTIFACT_MAX_POINTS + 1), 'p(y | x = 1)']).err).toMatch(/5,001 training points/);
  });
});
