// Model text -> IR for Gaussian processes: kernel algebra, ARD, options, defaults, sparse and
// multitask forms; and the errors, each on its source span; plus a multitask fit end to end.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { GPNode, IRGraph, IRVariable } from '../../ir/types.js';
import { lowerProgramModel as lowerModel } from '../../session/lower.js';
import { writeCsv } from '../helpers/programs.js';
import { Session } from '../../session/session.js';

const real = (name: string): IRVariable => ({ name, type: { kind: 'real' } });

function lower(body: string, vars: IRVariable[] = [real('x'), real('y')]): { graph?: IRGraph; messages: string[] } {
  const { program, diagnostics } = compile(`model M = ${body}\n`, 'm.pmix');
  if (!program) return { messages: diagnostics.map((d) => `${d.span?.startLine}:${d.span?.startColumn}: ${d.message}`) };
  const r = lowerModel(program, 'M', vars);
  return { graph: r.graph, messages: r.diagnostics.map((d) => `${d.span?.startLine}:${d.span?.startColumn}: ${d.message}`) };
}

const gpOf = (g: IRGraph): GPNode => g.nodes[0] as GPNode;

describe('lowering gp models', () => {
  it('lowers kernel algebra: scales, sums, products, a constant term, fixed and bounds', () => {
    const { graph, messages } = lower('gp(x: real -> y: real) { kernel = 2 * rbf(ls = 3 in [1, 10]) * periodic(period = 1 fixed) + 0.5 + white(0.1) }');
    expect(messages).toEqual([]);
    const n = gpOf(graph!);
    expect(n.kernel.op).toBe('sum');
    const terms = (n.kernel as { terms: unknown[] }).terms as GPNode['kernel'][];
    expect(terms.map((t) => t.op)).toEqual(['scale', 'base', 'base']);
    expect(graph!.params['n0.rbf_0.ls']).toMatchObject({ value: [3], param: { kind: 'bounded', lower: 1, upper: 10 }, fixed: false, init: 'given' });
    expect(graph!.params['n0.periodic_1.period']).toMatchObject({ value: [1], fixed: true });
    expect(graph!.params['n0.periodic_1.ls']!.init).toBe('given');
    // A white term carries the noise: the likelihood's stays fixed and tiny.
    expect(graph!.params['n0.noise']).toMatchObject({ value: [1e-10], fixed: true });
    expect(n.inputs).toEqual([0]);
    expect(n.output).toBe(1);
  });

  it('ARD lengthscales from a vector or the ard flag; data-initialized values; options', () => {
    const vars = [real('a'), real('b'), real('y')];
    const { graph, messages } = lower('gp(a, b -> y) { kernel = rbf(ls = [1, 2]) + matern32(ard) + spectral_mixture(q = 3) + polynomial(degree = 3) }', vars);
    expect(messages).toEqual([]);
    expect(graph!.params['n0.rbf_0.ls']!.shape).toEqual([2]);
    expect(graph!.params['n0.matern32_1.ls']).toMatchObject({ shape: [2], init: 'data' });
    expect(graph!.params['n0.spectral_mixture_2.means']!.shape).toEqual([3, 2]);
    expect(graph!.params['n0.noise']).toMatchObject({ fixed: false, init: 'data' });
  });

  it('sparse inference and multitask (icm) forms', () => {
    const s = lower('gp(x -> y) { kernel = rbf(); inference = sparse(m = 20); mean = constant; normalize_y = true }');
    expect(s.messages).toEqual([]);
    const n = gpOf(s.graph!);
    expect(n.inference).toMatchObject({ kind: 'sparse', m: 20, learnInducing: true });
    const fixedZ = lower('gp(x -> y) { inference = sparse(m = 5, learn_inducing = false) }');
    expect(fixedZ.messages).toEqual([]);
    expect(gpOf(fixedZ.graph!).inference).toMatchObject({ kind: 'sparse', m: 5, learnInducing: false });
    expect(lower('gp(x -> y) { inference = sparse(m = 5, learn_inducing = 2) }').messages).toEqual(['1:67: learn_inducing is true or false']);
    expect(s.graph!.params['n0.q_sqrt']!.shape).toEqual([20, 20]);
    expect(n.normalize).toBeDefined();
    const t = lower('gp(x -> y1, y2) { kernel = rbf(); tasks = icm(rank = 2) }', [real('x'), real('y1'), real('y2')]);
    expect(t.messages).toEqual([]);
    const tn = gpOf(t.graph!);
    expect(tn.outputs).toEqual([1, 2]);
    expect(t.graph!.params['n0.noise']!.shape).toEqual([2]);
    expect(JSON.stringify(tn.kernel)).toContain('"coregion"');
  });

  it('reports bad kernels and items on their spans', () => {
    const { messages } = lower('gp(x -> y) {\n  kernel = 2 * 3 * rbf() + rbff(ls = 1) + rbf(ls = -2) + rq(alpha = 1, beta = 2)\n  mean = quadratic\n  noise = 0\n  foo = 1\n}');
    expect(messages).toEqual(
      expect.arrayContaining([
        "2:12: write one number per product of kernels (e.g. 6 * rbf(...), not 2 * 3 * rbf(...))",
        expect.stringMatching(/^2:28: unknown kernel 'rbff'/),
        "2:52: rbf's ls must be > 0",
        "2:72: rq has no argument 'beta' (it takes ls, alpha)",
        expect.stringMatching(/^5:3: a gp block has no item 'foo'/),
      ]),
    );
    const m = lower('gp(x -> y) { mean = quadratic }');
    expect(m.messages[0]).toMatch(/^1:31: mean is zero, constant/);
    const z = lower('gp(x -> y) { noise = 0 }');
    expect(z.messages[0]).toMatch(/^1:32: noise = 0 must be fixed/);
    const c = lower('gp(x -> y) { kernel = rbf() }', [{ name: 'x', type: { kind: 'categorical', levels: ['a', 'b'] } }, real('y')]);
    expect(c.messages[0]).toMatch(/^1:14: a GP's inputs and outputs are numbers, but 'x' is a categorical column/);
    const nested = lower('mixture(k = 2) of G\nmodel G = gp(x -> y)');
    expect(nested.messages[0]).toMatch(/gp\(\.\.\.\) model stands alone/);
  });

  it('fits a two-output ICM GP end to end and predicts both outputs, correlated', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 40; i++) {
      const x = i / 4;
      // y2 follows y1 (scaled) but is missing on the right half: the ICM borrows strength.
      rows.push([x, Math.sin(x) + 0.05 * Math.cos(7 * i), x > 6 ? NaN : 0.8 * Math.sin(x) + 0.05 * Math.sin(5 * i)]);
    }
    const path = writeCsv(['x', 'y1', 'y2'], rows);
    const text = `data d from "${path}" { x: real, y1: real, y2: real }\nmodel M = gp(x -> y1, y2) { kernel = rbf(ls = 1); tasks = icm(rank = 1) }\nfit M on d by lbfgs(max_iter = 100)\nquery M: predict(x = 8)\n`;
    const { program } = compile(text, 'icm.pmix');
    const session = new Session(program!);
    const summary = session.fit(program!.steps[0] as Extract<typeof program extends undefined ? never : NonNullable<typeof program>['steps'][number], { kind: 'fit' }>);
    expect(summary.gp!.points).toBe(40 + 25);
    const a = session.query('M', (program!.steps[1] as { query: never }).query);
    expect(a.kind).toBe('predict');
    if (a.kind !== 'predict') return;
    const [r1, r2] = a.rows;
    expect(r1!.output).toBe('y1');
    expect(r2!.output).toBe('y2');
    // sin(8) = 0.989: y2 there was never observed, but follows y1 through B.
    expect(Math.abs(r1!.mean - Math.sin(8))).toBeLessThan(0.15);
    expect(Math.abs(r2!.mean - 0.8 * Math.sin(8))).toBeLessThan(0.3);
  });

  it('lmc(q = 2): two copies of the kernel, each with its own coregion, fitted with a finite LML', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 30; i++) rows.push([i / 3, Math.sin(i / 3) + 0.3 * Math.cos(i), Math.cos(i / 3) - 0.2 * Math.sin(i / 3)]);
    const path = writeCsv(['x', 'y1', 'y2'], rows);
    const text = `data d from "${path}" { x: real, y1: real, y2: real }\nmodel M = gp(x -> y1, y2) { kernel = rbf(ls = 1); tasks = lmc(q = 2, rank = 1) }\nfit M on d by lbfgs(max_iter = 60)\n`;
    const { program } = compile(text, 'lmc.pmix');
    const session = new Session(program!);
    const g = session.lower('M', session.variables('M', 'd')).graph;
    const k = gpOf(g).kernel;
    expect(k.op).toBe('sum');
    expect(JSON.stringify(k).match(/"coregion"/g)).toHaveLength(2);
    expect(Object.keys(g.params).filter((n) => n.endsWith('.ls'))).toHaveLength(2);
    const summary = session.fit(program!.steps[0] as never);
    expect(Number.isFinite(summary.gp!.log_marginal_likelihood)).toBe(true);
    expect(summary.gp!.points).toBe(60);
  });

  it('trains a sparse GP from model text by adam and predicts near the truth', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 600; i++) {
      const x = (i * 7919) % 600 / 60;
      rows.push([x, Math.sin(x) + 0.1 * Math.sin(13 * i)]);
    }
    const path = writeCsv(['x', 'y'], rows);
    const text = `data d from "${path}" { x: real, y: real }\nmodel S = gp(x -> y) { kernel = rbf(); inference = sparse(m = 15) }\nfit S on d by adam(lr = 0.05, epochs = 8, batch = 100, seed = 2)\nquery S: predict(x = [2, 5])\n`;
    const { program } = compile(text, 'sparse.pmix');
    const session = new Session(program!);
    const summary = session.fit(program!.steps[0] as never);
    expect(summary.gp!.inference).toBe('sparse');
    expect(summary.gp!.notes.join(' ')).toMatch(/ELBO per row/);
    const a = session.query('S', (program!.steps[1] as { query: never }).query);
    if (a.kind !== 'predict') throw new Error('expected predictions');
    expect(Math.abs(a.rows[0]!.mean - Math.sin(2))).toBeLessThan(0.2);
    expect(Math.abs(a.rows[1]!.mean - Math.sin(5))).toBeLessThan(0.2);
    // The artifact keeps the inducing points and q(u): predictions survive a save and load.
    const art = session.artifact('S');
    expect(art.ir.params['n0.inducing']!.value.some((v) => v !== 0)).toBe(true);
  });

  it('an output column missing from the data is reported on the output variable, not the model name', () => {
    const path = writeCsv(['x', 'z'], [[1, 2], [2, 3], [3, 1]]);
    const text = `data d from "${path}" { x: real, z: real }\nmodel M = gp(x: real -> y: real) {\n  kernel = rbf()\n}\nfit M on d by lbfgs()\n`;
    const { program } = compile(text, 'missing.pmix');
    const session = new Session(program!);
    let err: unknown;
    try {
      session.fit(program!.steps[0] as never);
    } catch (e) {
      err = e;
    }
    const d = (err as { diagnostics?: { message: string; span?: { startLine: number; startColumn: number } }[] }).diagnostics?.[0];
    expect(d?.message).toContain("uses 'y' but data set 'd' has no such column");
    // `y: real` starts at column 25 of line 2 (1-based), after `model M = gp(x: real -> `.
    expect(d?.span).toMatchObject({ startLine: 2, startColumn: 25 });
  });

  it('refuses hyperparameters whose float64 kernel arithmetic would overflow, on their span', () => {
    expect(lower('gp(x -> y) { kernel = rbf(ls = 1e-320 fixed) }').messages).toEqual([expect.stringMatching(/^1:42: rbf's ls must be between 1e-100 and 1e\+100/)]);
    expect(lower('gp(x -> y) { kernel = periodic(period = inf fixed) }').messages).toEqual(["1:51: periodic's period must be finite"]);
    expect(lower('gp(x -> y) { kernel = 1e300 fixed * rbf() }').messages).toEqual([expect.stringMatching(/^1:33: a kernel's scale must be between/)]);
  });
});

