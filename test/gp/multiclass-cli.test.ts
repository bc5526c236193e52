// End-to-end: the pmix command (built dist/cli/main.js) on a multiclass GP classifier
// (likelihood = categorical): three blobs against scikit-learn's one-vs-rest
// GaussianProcessClassifier (test/fixtures/gp/blobs, scripts/gp-blobs.py), pmix predict's p_LEVEL
// columns from a saved model, queries p(label | x) and logp(label = "level" | x), stored labels and
// classes checked on load, and bad models and labels named by file:line:col or row and column.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';
import { lcg } from './helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');
const blobs = join(root, 'test/fixtures/gp/blobs');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const csvRows = (text: string): string[][] => text.trim().split('\n').map((l) => l.split(','));

describe('pmix with a categorical GP', () => {
  it('three blobs: held-out accuracy at least scikit-learn one-vs-rest; predict CSV, queries and the saved model agree', () => {
    const dir = tempDir();
    const prog = join(dir, 'blobs.pmix');
    writeFileSync(prog, `data d from "${blobs}/train.csv" { a: real, b: real, label: categorical("r", "g", "b") }\nmodel C = gp(a, b -> label) { kernel = 1 * rbf(ls = 1); likelihood = categorical }\nfit C on d by lbfgs\n`);
    const model = join(dir, 'blobs.json');
    const f = pmix('fit', prog, '--out', model, '--no-progress');
    expect(f.code).toBe(0);
    const test = csvRows(readFileSync(join(blobs, 'test.csv'), 'utf8'));
    const input = join(dir, 'x.csv');
    writeFileSync(input, test.map((r) => `${r[0]},${r[1]}`).join('\n') + '\n');
    const out = join(dir, 'p.csv');
    expect(pmix('predict', model, '--data', input, '--out', out).code).toBe(0);
    const preds = csvRows(readFileSync(out, 'utf8'));
    expect(preds[0]).toEqual(['a', 'b', 'mean', 'std', 'std_y', 'p_r', 'p_g', 'p_b']);
    let right = 0;
    let logLoss = 0;
    for (let i = 1; i < preds.length; i++) {
      const p = preds[i]!.slice(5).map(Number);
      logLoss -= Math.log(p[['r', 'g', 'b'].indexOf(test[i]![2]!)]!) / 600;
      expect(Math.abs(p[0]! + p[1]! + p[2]! - 1)).toBeLessThan(1e-8);
      if (['r', 'g', 'b'][p.indexOf(Math.max(...p))] === test[i]![2]) right++;
    }
    const sk = JSON.parse(readFileSync(join(blobs, 'sklearn.json'), 'utf8'));
    expect(preds.length - 1).toBe(600);
    expect(right / 600).toBeGreaterThanOrEqual(sk.accuracy);
    // pmix score: the mean log p(label | a, b) over the held-out rows, minus the log loss.
    const sc = pmix('score', model, '--data', join(blobs, 'test.csv'));
    expect(sc.code).toBe(0);
    expect(Number(/mean log-likelihood (\S+)/.exec(sc.out)![1])).toBeCloseTo(-logLoss, 5);
    // Queries of the saved model equal its pmix predict rows at the same points.
    const ask = (q: string): Record<string, any> => {
      const r = pmix('query', model, q, '--json');
      expect(r.code).toBe(0);
      return JSON.parse(r.out);
    };
    const answers = ['predict(a = [0, 2], b = [0, 0])', 'p(label | a = 2, b = 0)', 'logp(label = "g" | a = 2, b = 0)'].map(ask);
    const o = { queries: answers.map((a) => ({ answer: a.answer ?? a })) };
    const rows = o.queries[0]!.answer.rows;
    const again = join(dir, 'again.csv');
    writeFileSync(join(dir, 'two.csv'), 'a,b\n0,0\n2,0\n');
    expect(pmix('predict', model, '--data', join(dir, 'two.csv'), '--out', again).code).toBe(0);
    const two = csvRows(readFileSync(again, 'utf8')).slice(1).map((l) => l.slice(5).map(Number));
    expect(two[0]![0]).toBeCloseTo(rows[0].y.p_r, 8);
    expect(two[1]![1]).toBeCloseTo(rows[1].y.p_g, 8);
    expect(rows[0].y.p_r).toBeGreaterThan(0.7);
    expect(rows[1].y.p_g).toBeGreaterThan(0.7);
    const dist = o.queries[1]!.answer.summary[0].probs;
    expect(dist.g).toBeCloseTo(rows[1].y.p_g, 10);
    expect(o.queries[2]!.answer.log_value).toBeCloseTo(Math.log(rows[1].y.p_g), 10);
    // A stored label outside the classes, or a missing class count, is refused on load naming the field.
    const art = JSON.parse(readFileSync(model, 'utf8'));
    const node = art.ir.nodes[0];
    const yName = node.inference.train.y;
    const bad1 = structuredClone(art);
    bad1.ir.params[yName].value[3] = 3;
    writeFileSync(join(dir, 'bad1.json'), JSON.stringify(bad1));
    const b1 = pmix('predict', join(dir, 'bad1.json'), '--data', join(dir, 'two.csv'));
    expect(b1.code).not.toBe(0);
    expect(b1.err).toContain(`ir.params['${yName}'].value[3]`);
    expect(b1.err).toContain('a categorical label is a class index 0..2');
    const bad2 = structuredClone(art);
    delete bad2.ir.nodes[0].likelihood.classes;
    writeFileSync(join(dir, 'bad2.json'), JSON.stringify(bad2));
    const b2 = pmix('predict', join(dir, 'bad2.json'), '--data', join(dir, 'two.csv'));
    expect(b2.code).not.toBe(0);
    expect(b2.err).toContain('likelihood.classes');
    expect(b2.err).not.toContain('    at ');
    const bad3 = structuredClone(art);
    bad3.ir.nodes[0].inference = { kind: 'sparse', m: 2 };
    writeFileSync(join(dir, 'bad3.json'), JSON.stringify(bad3));
    const b3 = pmix('predict', join(dir, 'bad3.json'), '--data', join(dir, 'two.csv'));
    expect(b3.code).not.toBe(0);
    expect(b3.err).toContain('inference.kind');
    // No decision map for a categorical GP (pmix plot draws bernoulli classifiers).
    const pl = pmix('plot', model, '--out', join(dir, 'map.svg'));
    expect(pl.code).not.toBe(0);
    expect(pl.err).toContain('GP classifiers (bernoulli) with two');
  });

  it('int labels need classes = C; a label outside 0..C-1 is named by row and column; mean, sparse and a level mismatch are refused on file:line:col', () => {
    const dir = tempDir();
    const data = join(dir, 'd.csv');
    writeFileSync(data, 'x,y,k\n0,0,A\n1,1,B\n2,2,C\n3,1,A\n');
    const check = (model: string): { code: number; out: string; err: string; file: string } => {
      const file = join(dir, 'm.pmix');
      writeFileSync(file, `data d from "${data}" { x: real, y: int, k: categorical("A", "B", "C") }\n${model}\nfit M on d by lbfgs\n`);
      return { ...pmix('check', file), file };
    };
    let c = check('model M = gp(x -> y) { likelihood = categorical }');
    expect(c.code).toBe(1);
    expect(c.err).toContain(`${c.file}:2:37: error: an int label needs the number of classes: likelihood = categorical(classes = C)`);
    c = check('model M = gp(x -> k) { likelihood = categorical(classes = 4) }');
    expect(c.err).toContain(`${c.file}:2:37: error: classes = 4, but 'k' has 3 levels`);
    c = check('model M = gp(x -> k) { mean = 1; likelihood = categorical }');
    expect(c.err).toContain(`${c.file}:2:24: error: a categorical GP has no mean item`);
    c = check('model M = gp(x -> k) { likelihood = categorical; inference = sparse(m = 2) }');
    expect(c.err).toContain('sparse inference of a categorical (multiclass) GP is not supported yet');
    c = check('model M = gp(x -> k) { likelihood = categorical(link = logit) }');
    expect(c.err).toContain("categorical's link is softmax");
    const ok = check('model M = gp(x -> k) { likelihood = categorical }');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("M: a categorical GP classifier of 'k' on x: 3 classes (A, B, C), one latent GP per class sharing the kernel");
    expect(check('model M = gp(x -> y) { likelihood = categorical(classes = 3) }').code).toBe(0);
    const file = join(dir, 'fit.pmix');
    writeFileSync(file, `data d from "${data}" { x: real, y: int, k: categorical("A", "B", "C") }\nmodel M = gp(x -> y) { likelihood = categorical(classes = 2) }\nfit M on d by lbfgs\n`);
    const r = pmix('run', file, '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toContain("row 3, column 'y': a categorical label is a class index 0..1");
    expect(r.err).not.toContain('    at ');
  });

  it('two classes: the fitted categorical GP is the fitted Bernoulli logit GP with half the kernel scale (same LML and probabilities)', () => {
    const dir = tempDir();
    const data = join(dir, 'two.csv');
    const r = lcg(3);
    const rows = Array.from({ length: 40 }, (_, i) => `${(i < 20 ? -0.8 : 0.8) + 2 * (r() - 0.5)},${i < 20 ? 'A' : 'B'}`);
    writeFileSync(data, `x,k\n${rows.join('\n')}\n`);
    const file = join(dir, 'two.pmix');
    writeFileSync(file, `data d from "${data}" { x: real, k: categorical("A", "B") }\nmodel Bn = gp(x -> k) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli }\nmodel Ct = gp(x -> k) { kernel = 1 * rbf(ls = 1); likelihood = categorical }\nfit Bn on d by lbfgs\nfit Ct on d by lbfgs\nquery Bn: predict(x = [-2, 0, 0.5, 2])\nquery Ct: predict(x = [-2, 0, 0.5, 2])\n`);
    const o = JSON.parse(pmix('run', file, '--json', '--no-progress').out);
    const [bn, ct] = o.fits.map((f: { gp: { log_marginal_likelihood: number; hyperparameters: Record<string, number[]> } }) => f.gp);
    expect(ct.log_marginal_likelihood).toBeCloseTo(bn.log_marginal_likelihood, 4);
    expect(ct.hyperparameters['scale_0'][0] / bn.hyperparameters['scale_0'][0]).toBeCloseTo(0.5, 3);
    expect(ct.hyperparameters['rbf_0.ls'][0]).toBeCloseTo(bn.hyperparameters['rbf_0.ls'][0], 3);
    const pb = o.queries[0].answer.rows.map((row: { y: { p: number } }) => row.y.p);
    const pc = o.queries[1].answer.rows.map((row: { y: { p_B: number } }) => row.y.p_B);
    pb.forEach((p: number, i: number) => expect(Math.abs(p - pc[i])).toBeLessThan(0.01));
  });
});
