// experts(t -> y) { task = id; ... } in the language and the API: bad items are diagnostics on
// their spans; pmix check describes the model; with every hyperparameter fixed the fit's
// responsibilities are an E-step fixed point and its new-task predictions through model.predict(rows)
// equal a dense data-space reference (test/multitask/dense-reference.ts); every refusal names its place; a fitted
// model round-trips through its artifact (Node and browser loaders) and a mutated one is refused
// naming the field; a new task from 3 points beats a single GP on them (learned hyperparameters).
import { describe, expect, it } from 'vitest';
import { load as loadBrowser } from '../../api/browser.js';
import { compile as apiCompile, load } from '../../api/index.js';
import { familyOf } from '../../families/index.js';
import { Session } from '../../session/session.js';
import { compileOk, writeCsv } from '../helpers/programs.js';
import { Rng } from '../../stdlib/random.js';
import { drawTask, drawTasks, GRID, k } from './curves.js';
import { newTask, responsibilities, tauRows } from './dense-reference.js';
import { solve } from '../moe/helpers.js';

const TASK = { variance: 0.25, lengthscale: 2 };
const MEAN = { variance: 4, lengthscale: 2 };
const NOISE = 0.01;
const FIXED = 'task = id; k = 3; kernel = 0.25 fixed * rbf(ls = 2 fixed); mean_kernel = 4 fixed * rbf(ls = 2 fixed); noise = 0.01 fixed';

const diag = (text: string): string[] => {
  const s = new Session(compileOk(`data d from "${writeCsv(['t', 'u', 'y', 'id', 'w'], [[1, 2, 3, 1, 0.5]])}" { t: real, u: real, y: real, id: int, w: real }\n${text}\nfit M on d\n`));
  return s.check().map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);
};

type Row = { id: number; t: number; y?: number };
const rowsOf = (tasks: readonly { t: number[]; y: number[] }[], first = 1): Row[] => tasks.flatMap((x, i) => x.t.map((t, j) => ({ id: first + i, t, y: x.y[j]! })));

describe('experts(t -> y) { task = id } in the language', () => {
  it('reports bad items on their spans', () => {
    expect(diag('model M = experts(t -> y) { task = w }')).toEqual(["2:36 the task column 'w' is real: task ids are whole numbers (declare it w: int)"]);
    expect(diag('model M = experts(t -> y) { task = nope }')[0]).toMatch(/^2:36 model 'M' uses 'nope' but data set 'd' has no such column/);
    expect(diag('model M = experts(t -> y) { task = id; kernel = 1 * matern52(ls = 1) }')).toEqual(['2:53 kernel = matern52(...): a multitask GP\'s kernels are RBF (write kernel = 1 * rbf(ls = 2))']);
    expect(diag('model M = experts(t -> y) { task = id; kernel = rbf(ls = 1) + rbf(ls = 2) }')[0]).toMatch(/^2:49 kernel is a scaled RBF kernel/);
    expect(diag('model M = experts(t -> y) { task = id; expert = linear }')[0]).toMatch(/^2:49 a multitask GP's experts are GPs/);
    expect(diag('model M = experts(t -> y) { task = id; gate = softmax }')[0]).toMatch(/^2:40 a multitask GP \(experts\(\.\.\.\) with a task column\) has no item 'gate'/);
    expect(diag('model M = experts(t, u -> y) { task = id }')[0]).toMatch(/^2:22 a multitask GP takes one input/);
    expect(diag('model M = experts(t -> y) { task = id; noise = 0 }')).toEqual(['2:48 noise = 0: expected a number > 0']);
    expect(diag('model M = experts(t -> y) { task = id; k = 0 }')).toEqual(['2:44 k = 0: expected a whole number of clusters from 1 to 64']);
    expect(diag('model M = experts(t -> y) { task = t }')[0]).toMatch(/'t' is the task column: it cannot also be an input or output/);
    expect(diag('model M = experts(t -> y) { task = id; kernel = 2 * rbf(ls = 1 in [0.1, 3]) }')).toEqual(["2:57 kernel's ls: a multitask GP's hyperparameters take a value and 'fixed' only (no bounds or prior)"]);
    expect(diag('model M = experts(t -> y) { task = id; expert = gp(steps = 2.5) }')).toEqual(['2:60 steps = 2.5: expected a whole number from 0 to 1000']);
    expect(diag('model M = experts(t -> y) { task = id(1) }')[0]).toMatch(/^2:36 task names the column/);
    expect(diag(`model M = experts(t -> y) { ${FIXED} }`)).toEqual([]);
  });

  it('pmix check describes it', () => {
    const s = new Session(compileOk(`data d from "${writeCsv(['t', 'y', 'id'], [[1, 2, 1]])}" { t: real, y: real, id: int }\nmodel M = experts(t -> y) { task = id; k = 3; noise = 0.01 fixed }\n`));
    s.lower('M', s.variables('M', 'd'));
    const g = s.lowered.get('M')!;
    const r = familyOf(g).describe!(g, 'M', 'm.pmix')!;
    expect(r.lines[0]).toBe("a cluster-specific multitask GP: curves y(t), one per value of 'id', in 3 clusters");
    expect(r.lines[2]).toMatch(/5 L-BFGS steps per iteration on mean_kernel.variance, mean_kernel.ls, kernel.variance, kernel.ls;/);
    expect(r.json).toMatchObject({ input: 't', output: 'y', task: 'id', k: 3, hyperparameters: { noise: '0.01 fixed', 'kernel.ls': 'from data' } });
  });
});

describe('the multitask GP through the API', () => {
  const { tasks } = drawTasks(24, 11, TASK, NOISE);
  const rows = rowsOf(tasks);

  it('with the hyperparameters fixed: the fit is an E-step fixed point and new-task predictions equal the dense reference', async () => {
    const m = apiCompile(`model M = experts(t -> y) { ${FIXED} }`).model('M');
    await m.fit(rows, { method: 'em', restarts: 1, maxIter: 30, tol: 0, seed: 3 });
    const tau = tauRows(JSON.parse(m.save()).ir.params['train.tau']!.value, 3, tasks.length);
    const h = { mean: MEAN, task: TASK, noise: NOISE };
    responsibilities(tasks, tau, h).forEach((row, c) => row.forEach((v, i) => expect(Math.abs(v - tau[c]![i]!)).toBeLessThan(1e-8)));
    // a new task (id 500) with 3 given points, predicted at the whole grid
    const given = [GRID[2]!, GRID[8]!, GRID[13]!].map((t, j) => ({ id: 500, t, y: [1.1, -0.3, 0.8][j]! }));
    const p = m.predict([...given, ...GRID.map((t) => ({ id: 500, t }))]);
    const ref = newTask(tasks, tau, h, given.map((g) => g.t), given.map((g) => g.y), GRID);
    // the model's precision form inverts the 16-point RBF Gram matrix (condition ~1e9): agreement to ~1e-6
    GRID.forEach((_, j) => {
      const r = p[3 + j]![0]!;
      expect(Math.abs(r.mean - ref.mean[j]!)).toBeLessThan(1e-5);
      expect(Math.abs(r.std - Math.sqrt(ref.variance[j]!))).toBeLessThan(1e-5);
      expect(Math.abs(r.std_y ** 2 - r.std ** 2 - NOISE)).toBeLessThan(1e-12);
      for (let c = 0; c < 3; c++) expect(Math.abs(r.extra![`p_cluster${c + 1}`]! - ref.clusters[c]!)).toBeLessThan(1e-5);
    });
  });

  it('refuses bad data by name', async () => {
    const fit = async (rs: Row[], body = 'task = id; k = 3'): Promise<string> => {
      try {
        await apiCompile(`model M = experts(t -> y) { ${body} }`).model('M').fit(rs, { method: 'em', maxIter: 2 });
        return 'fitted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(await fit([...rows, { id: 99, t: 1, y: 2 }])).toMatch(/task 99 \(column 'id', row 301\) has 1 point; every task needs at least 2/);
    expect(await fit(rows.slice(0, 20))).toMatch(/2 tasks \(distinct 'id' values\) for k = 3 clusters/);
    expect(await fit([{ id: 1, t: 1, y: 1 }, { t: 2, y: 1 } as Row, ...rows])).toMatch(/row 2, column 'id': missing task id/);
    expect(await fit(rows, 'task = id; k = 3')).toBe('fitted');
    const m = apiCompile('model M = experts(t -> y) { task = id }').model('M');
    expect(() => m.predict([{ id: 1, t: 1 }])).toThrow(/task column 'id'|not fitted/);
    await expect(m.fit(rows, { method: 'adam' })).rejects.toThrow(/fitted by em/);
  });

  it('round-trips through its artifact (Node and browser); a mutated artifact is refused naming the field', async () => {
    const m = apiCompile('model M = experts(t -> y) { task = id; k = 3 }').model('M');
    await m.fit(rows, { method: 'em', restarts: 2, maxIter: 20, seed: 1 });
    const at = [{ id: 1, t: 2.5 }, { id: 7, t: 0.1 }, { id: 900, t: 3, y: 1 }, { id: 900, t: 4 }];
    for (const again of [load(m.save()), loadBrowser(m.save())]) {
      expect(again.predict(at)).toEqual(m.predict(at));
      expect(again.logProb([{ id: 2, t: 1, y: 0.5 }])).toEqual(m.logProb([{ id: 2, t: 1, y: 0.5 }]));
    }
    const art = m.save();
    type Art = { ir: { params: Record<string, { value: number[] }>; nodes: { options: Record<string, unknown> }[] } };
    const mutate = (f: (a: Art) => void): string => {
      const a = JSON.parse(art) as Art;
      f(a);
      try {
        load(JSON.stringify(a));
        return 'loaded';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(mutate((a) => (a.ir.params['train.tau']!.value[0] = 2))).toMatch(/ir\.params\['train\.tau'\]\.value\[0\].*\[0, 1\]/);
    expect(mutate((a) => (a.ir.params['train.task']!.value[3] = 1.5))).toMatch(/ir\.params\['train\.task'\]\.value\[3\]: 1\.5 is not a whole-number task id/);
    expect(mutate((a) => (a.ir.params['noise']!.value[0] = -1))).toMatch(/ir\.params\['noise'\]\.value\[0\]/);
    expect(mutate((a) => delete a.ir.params['train.y'])).toMatch(/train\.y/);
    expect(mutate((a) => (a.ir.nodes[0]!.options.task = 7))).toMatch(/ir\.nodes\[0\]\.options\.task/);
  });

  it('a new task from 3 of its points: closer to its curve than a single GP on those points', async () => {
    const m = apiCompile('model M = experts(t -> y) { task = id; k = 3 }').model('M');
    const train = drawTasks(36, 5, TASK, NOISE).tasks;
    await m.fit(rowsOf(train), { method: 'em', restarts: 3, maxIter: 100, seed: 1 });
    const h = Object.fromEntries(['mean_kernel.variance', 'mean_kernel.ls', 'kernel.variance', 'kernel.ls', 'noise'].map((n) => [n, JSON.parse(m.save()).ir.params[n]!.value[0]!]));
    const r = new Rng(99);
    const obs = [2, 8, 13];
    let errMulti = 0;
    let errSingle = 0;
    let count = 0;
    for (let n = 0; n < 12; n++) {
      const { latent, y } = drawTask(n % 3, r, TASK, NOISE);
      const given = obs.map((j) => ({ id: 1000 + n, t: GRID[j]!, y: y[j]! }));
      const rest = GRID.map((_, j) => j).filter((j) => !obs.includes(j));
      const p = m.predict([...given, ...rest.map((j) => ({ id: 1000 + n, t: GRID[j]! }))]);
      // single GP: zero mean, the fitted model's total covariance of a task (mean process + deviation) and noise
      const kk = (a: number, b: number): number => k({ variance: h['mean_kernel.variance']!, lengthscale: h['mean_kernel.ls']! }, a, b) + k({ variance: h['kernel.variance']!, lengthscale: h['kernel.ls']! }, a, b);
      const S = given.map((a, i) => given.map((b, j) => kk(a.t, b.t) + (i === j ? h.noise! : 0)));
      const alpha = solve(S, given.map((g) => g.y));
      rest.forEach((j, q) => {
        errMulti += (p[3 + q]![0]!.mean - latent[j]!) ** 2;
        errSingle += (given.reduce((s, g, i) => s + kk(GRID[j]!, g.t) * alpha[i]!, 0) - latent[j]!) ** 2;
        count++;
      });
    }
    const multi = Math.sqrt(errMulti / count);
    const single = Math.sqrt(errSingle / count);
    console.log(`new tasks from 3 points (learned hyperparameters): RMSE multitask ${multi.toFixed(3)}, single GP ${single.toFixed(3)}`);
    expect(multi).toBeLessThan(0.75 * single);
  });
});
