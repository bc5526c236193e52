// pmix fit --from MODEL.json --data ROWS.csv (issue 16): a saved model fitted again from its
// parameters, from a file or stdin (--data -), by its own method or the one --by names (online
// EM streams the rows); the summary says it continued; the written artifact answers queries and
// scores as any other; usage and data errors name what is wrong, exit 1 or 2, no stack trace.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');
const penguins = join(root, 'examples/data/penguins.csv');

function pmix(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', input, env: { ...process.env, PMIX_BACKEND: '' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

let dir: string;
let saved: string;
let first: { mean_log_likelihood: number; iterations: number };

beforeAll(() => {
  dir = tempDir();
  saved = join(dir, 'p.json');
  const r = pmix(['fit', 'examples/penguins.pmix', '--out', saved, '--json', '--no-progress']);
  expect(r.code).toBe(0);
  first = JSON.parse(r.out).fit;
});

describe('pmix fit --from', () => {
  it('continues a converged fit on the same rows: two iterations, the same log-likelihood', () => {
    const out = join(dir, 'p2.json');
    const r = pmix(['fit', '--from', saved, '--data', penguins, '--out', out, '--json', '--no-progress']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out).fit;
    expect(s.iterations).toBeLessThanOrEqual(2);
    expect(s.continued_from).toBe(saved);
    // The file's fit converged at tol = 1e-6: one more EM step changes the mean by less.
    expect(Math.abs(s.mean_log_likelihood - first.mean_log_likelihood)).toBeLessThan(1e-6);
    const text = pmix(['fit', '--from', saved, '--data', penguins, '--out', out, '--no-progress']);
    expect(text.out).toMatch(new RegExp(`by em: continued from ${saved.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, converged after [12] iteration`));
    const a = JSON.parse(readFileSync(out, 'utf8'));
    expect(a.provenance.continued_from).toBe('p.json');
    expect(a.provenance.fit.method).toBe('em');
  });

  it('reads the rows from stdin and continues by online EM; the artifact scores and answers queries', () => {
    const out = join(dir, 'online.json');
    const csv = readFileSync(penguins, 'utf8');
    const r = pmix(['fit', '--from', saved, '--data', '-', '--by', 'online(batch = 64, passes = 2, alpha = 0.7)', '--out', out, '--json', '--no-progress'], csv);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out).fit;
    expect(s.method).toBe('online');
    expect(s.iterations).toBe(2);
    expect(s.data).toBe('stdin');
    expect(s.rows).toBe(344);
    // Continued from a converged EM fit, two passes of small steps stay close to it.
    expect(Math.abs(s.mean_log_likelihood - first.mean_log_likelihood)).toBeLessThan(0.1);
    // The artifact works unchanged: score gives the summary's mean log-likelihood, queries answer.
    const score = pmix(['score', out, '--data', penguins, '--json']);
    expect(score.code).toBe(0);
    // score's mean and the fit's are the same: over every row, the all-empty ones scoring exactly 0.
    const sc = JSON.parse(score.out);
    expect(sc.empty_rows).toBe(2);
    expect(sc.n).toBe(s.rows);
    expect(sc.mean_log_likelihood).toBeCloseTo(s.mean_log_likelihood, 9);
    const q = pmix(['query', out, 'posterior(bill_length_mm = 47.5, bill_depth_mm = 15.0, flipper_length_mm = 217, body_mass_g = 5100)', '--json']);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.out).answer.probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('a .pmix fit takes a data set from stdin with --data NAME=-', () => {
    const out = join(dir, 'stdin.json');
    const r = pmix(['fit', 'examples/penguins.pmix', '--data', 'penguins=-', '--out', out, '--json', '--no-progress'], readFileSync(penguins, 'utf8'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).fit.mean_log_likelihood).toBeCloseTo(first.mean_log_likelihood, 9);
  });

  it('usage errors: exit 2, a message, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['fit', 'examples/penguins.pmix', '--from', saved, '--data', penguins, '--out', join(dir, 'x.json')], /either a .pmix file or --from/],
      [['fit', '--from', saved, '--out', join(dir, 'x.json')], /--from needs the rows to fit on/],
      [['fit', '--out', join(dir, 'x.json')], /needs a .pmix file, or --from/],
      [['fit', '--from', saved, '--data', penguins, '--by', 'online(alpha = 0.3)', '--out', join(dir, 'x.json')], /--by 'online\(alpha = 0.3\)': alpha must lie in \(0.5, 1\]/],
      [['fit', '--from', saved, '--data', penguins, '--by', 'emm(max_iter = 3)', '--out', join(dir, 'x.json')], /unknown fit method 'emm'/],
      [['fit', '--from', saved, '--data', penguins, '--checkpoint-rows', '100', '--out', join(dir, 'x.json')], /--checkpoint-rows counts the rows online EM has seen/],
    ];
    for (const [args, msg] of cases) {
      const r = pmix(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('data and model errors: exit 1, naming the file and the column or the family', () => {
    const cars = join(root, 'examples/data/cars.csv');
    const r = pmix(['fit', '--from', saved, '--data', cars, '--out', join(dir, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cars\.csv.*'bill_length_mm'/);
    expect(r.err).not.toMatch(/<input>/);
    const gp = join(dir, 'gp.json');
    expect(pmix(['fit', 'examples/gp-toy.pmix', '--out', gp, '--no-progress']).code).toBe(0);
    const g = pmix(['fit', '--from', gp, '--data', join(root, 'examples/data/gp-toy.csv'), '--by', 'online', '--out', join(dir, 'y.json')]);
    expect(g.code).toBe(1);
    expect(g.err).toMatch(/GP.*not online|online.*GP|lbfgs/);
    // The GP's own method continues (one L-BFGS restart from its hyperparameters).
    const ok = pmix(['fit', '--from', gp, '--data', join(root, 'examples/data/gp-toy.csv'), '--out', join(dir, 'y.json'), '--json', '--no-progress']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).fit.continued_from).toBe(gp);
  });
});
