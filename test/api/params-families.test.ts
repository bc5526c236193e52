// Model.params() beyond mixtures (issue 19): GP hyperparameters by the names written in the
// kernel, and the generic node view of circuits, squared and integral circuits, Chow-Liu
// trees, KDE and mixtures of experts. Every number is checked against an independent read of
// the saved artifact's JSON (ir.params by the lowering's internal names).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, type GraphParams, type GpParams, type Model } from '../../api/index.js';

const root = new URL('../../', import.meta.url).pathname;
const wave = Array.from({ length: 30 }, (_, i) => ({ x: i / 5, y: Math.sin(i / 5) + 0.1 * Math.cos(7 * i) }));

interface ArtifactIr {
  nodes: { id: string; kind: string; params?: Record<string, string>; weights?: string; scope: number[]; family?: string }[];
  params: Record<string, { shape: number[]; value: number[] }>;
  vars: { name: string }[];
}
const irOf = (m: Model): ArtifactIr => JSON.parse(m.save()).ir;
const raw = (ir: ArtifactIr, name: string): number[] => ir.params[name]!.value;

describe('Model.params() of a GP', () => {
  it('names each hyperparameter as the kernel was written, a repeated kernel numbered, scales by the term they multiply', async () => {
    const m = compile('model G = gp(x: real -> y: real) {\n  kernel = 2 * rbf(ls = 1) + white(0.1) + 3 * rbf(ls = 2) * periodic(period = 1)\n  noise = 0.1\n  mean = linear\n}').model('G');
    await m.fit(wave, { method: 'lbfgs' });
    const p = m.params() as GpParams;
    expect(p.kind).toBe('gp');
    expect(p.inputs).toEqual(['x']);
    expect(p.outputs).toEqual(['y']);
    expect(Object.keys(p.kernel)).toEqual(['scale(rbf)', 'rbf.ls', 'white.noise', 'scale(rbf#2 * periodic)', 'rbf#2.ls', 'periodic.period', 'periodic.ls']);
    // The lowering numbers kernels and scales in reading order: rbf_0, white_1, rbf_2, periodic_3; scale_0, scale_1.
    const ir = irOf(m);
    expect(p.kernel['scale(rbf)']).toBe(raw(ir, 'n0.scale_0')[0]);
    expect(p.kernel['rbf.ls']).toBe(raw(ir, 'n0.rbf_0.ls')[0]);
    expect(p.kernel['white.noise']).toBe(raw(ir, 'n0.white_1.noise')[0]);
    expect(p.kernel['scale(rbf#2 * periodic)']).toBe(raw(ir, 'n0.scale_1')[0]);
    expect(p.kernel['rbf#2.ls']).toBe(raw(ir, 'n0.rbf_2.ls')[0]);
    expect(p.kernel['periodic.period']).toBe(raw(ir, 'n0.periodic_3.period')[0]);
    expect(p.kernel['periodic.ls']).toBe(raw(ir, 'n0.periodic_3.ls')[0]);
    expect(p.noise).toBe(raw(ir, 'n0.noise')[0]);
    expect(p.mean).toEqual({ kind: 'linear', w: { x: raw(ir, 'n0.mean_w')[0] }, b: raw(ir, 'n0.mean_b')[0] });
    expect(p.likelihood).toEqual({ name: 'gaussian', params: {} });
    expect(p.inference).toEqual({ kind: 'exact' });
    // Fitted, not the written starting values.
    expect(p.kernel['rbf.ls']).not.toBe(1);
  });

  it('a sparse student_t GP: the likelihood parameters by name, the inducing count as metadata', async () => {
    const m = compile('model S = gp(x: real -> y: real) {\n  kernel = 2 * rbf(ls = 1)\n  likelihood = student_t(scale = 0.5)\n  inference = sparse(m = 5)\n}').model('S');
    await m.fit(wave, { method: 'adam', seed: 1 });
    const p = m.params() as GpParams;
    const ir = irOf(m);
    expect(p.likelihood).toEqual({ name: 'student_t', link: 'identity', params: { scale: raw(ir, 'n0.lik_scale')[0], df: raw(ir, 'n0.lik_df')[0] } });
    expect(p.inference).toEqual({ kind: 'sparse', m: 5 });
    expect(p.kernel).toEqual({ 'scale(rbf)': raw(ir, 'n0.scale_0')[0], 'rbf.ls': raw(ir, 'n0.rbf_0.ls')[0] });
  });

  it('ARD lengthscales by input name; Vecchia m as metadata', async () => {
    const m = compile('model V = gp(x: real, u: real -> y: real) {\n  kernel = 1 * rbf(ls = [1, 2])\n  inference = vecchia(m = 4)\n}').model('V');
    await m.fit(wave.map((r, i) => ({ ...r, u: Math.cos(i) })), { method: 'lbfgs' });
    const p = m.params() as GpParams;
    const ls = raw(irOf(m), 'n0.rbf_0.ls');
    expect(ls).toHaveLength(2);
    expect(p.kernel['rbf.ls']).toEqual({ x: ls[0], u: ls[1] });
    expect(p.inference).toEqual({ kind: 'vecchia', m: 4 });
  });

  it('the example gp-toy: a matern52 lengthscale and noise as fitted', () => {
    const file = join(root, 'examples/gp-toy.pmix');
    const program = compile(readFileSync(file, 'utf8'), { file });
    program.run();
    const m = program.model('Toy');
    const p = m.params() as GpParams;
    const ir = irOf(m);
    expect(p.kernel).toEqual({ 'scale(matern52)': raw(ir, 'n0.scale_0')[0], 'matern52.ls': raw(ir, 'n0.matern52_0.ls')[0] });
    expect(p.noise).toBe(raw(ir, 'n0.noise')[0]);
  });
});

/** Each node of the view against the artifact's node: its parameters by role, its variables by name. */
function expectNodesMatch(p: GraphParams, ir: ArtifactIr): void {
  expect(p.kind).toBe('graph');
  expect(p.nodes.map((n) => n.id)).toEqual(ir.nodes.map((n) => n.id));
  for (const [i, node] of ir.nodes.entries()) {
    const view = p.nodes[i]!;
    expect(view.kind).toBe(node.kind);
    expect(view.variables).toEqual(node.scope.map((v) => ir.vars[v]!.name));
    const roles: Record<string, string> = { ...(node.params ?? {}), ...(node.weights ? { weights: node.weights } : {}) };
    expect(Object.keys(view.params).sort()).toEqual(Object.keys(roles).filter((r) => ir.params[roles[r]!]).sort());
    for (const [role, name] of Object.entries(roles)) {
      if (!ir.params[name]) continue;
      expect(view.params[role]!.value).toEqual(raw(ir, name));
      expect(view.params[role]!.shape).toEqual(ir.params[name]!.shape);
    }
  }
}

describe('Model.params(): the generic node view', () => {
  it('a KDE: its bandwidth matrix, kernel and points', () => {
    const file = join(root, 'examples/faithful.pmix');
    const program = compile(readFileSync(file, 'utf8'), { file });
    program.run();
    const m = program.model('K');
    const p = m.params() as GraphParams;
    const ir = irOf(m);
    expect(p.family).toBe('kde');
    expectNodesMatch(p, ir);
    const kde = p.nodes.find((n) => n.family === 'kde')!;
    expect(kde.options!.kernel).toBe('gaussian');
    expect(kde.params.bandwidth!.shape).toEqual([2, 2]);
    const csvRows = readFileSync(join(root, 'examples/data/faithful.csv'), 'utf8').trim().split('\n').length - 1;
    expect(kde.params.points!.shape).toEqual([csvRows, 2]);
    expect(kde.source).toEqual({ line: 6, column: 11 });
  });

  it("a mixture of linear experts: the gate's weights and each expert's coefficients", async () => {
    const m = compile('model L = experts(x -> y) { k = 2; gate = softmax(ridge = 0.01) }').model('L');
    const rows = Array.from({ length: 60 }, (_, i) => ({ x: i / 10, y: (i < 30 ? 1 + (2 * i) / 10 : 10 - i / 10) + 0.05 * Math.cos(7 * i) }));
    await m.fit(rows, { seed: 1 });
    const p = m.params() as GraphParams;
    expectNodesMatch(p, irOf(m));
    const moe = p.nodes[0]!;
    expect(moe.family).toBe('moe');
    expect(Object.keys(moe.params).sort()).toEqual(['expert.coef', 'expert.noise', 'gate.w']);
    // The two lines y = 1 + 2x and y = 10 - x, in some order: [k, outputs, slope then intercept].
    const coef = moe.params['expert.coef']!.value;
    const lines = [coef.slice(0, 2), coef.slice(2, 4)].map((c) => c.map((v) => Math.round(v)));
    expect(lines).toEqual(expect.arrayContaining([[2, 1], [-1, 10]]));
  });

  it('a circuit: leaves and sums by node, with the line:column they come from', async () => {
    const src = 'model C(a, b, c, d) = circuit { region random_tree(depth = 2, seed = 3) inputs Normal sum(units = 2) }';
    const m = compile(src).model('C');
    const rows = Array.from({ length: 50 }, (_, i) => ({ a: Math.sin(i), b: Math.cos(i), c: (i % 7) / 3, d: Math.sin(3 * i) }));
    await m.fit(rows, { seed: 1 });
    const p = m.params() as GraphParams;
    expect(p.family).toBe('circuit');
    expect(p.variables).toEqual(['a', 'b', 'c', 'd']);
    expectNodesMatch(p, irOf(m));
    const leaves = p.nodes.filter((n) => n.kind === 'input');
    expect(leaves.map((n) => n.variables[0]).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(leaves.every((n) => n.distribution === 'Normal' && n.source?.line === 1 && n.source.column === src.indexOf('inputs Normal') + 1)).toBe(true);
    expect(p.nodes.at(-1)!.kind).toMatch(/sum|mixing/);
  });

  it('a squared circuit: its signed sum weights as fitted', async () => {
    const m = compile('model C(a, b, c, d) = square(circuit { region random_tree(depth = 2, seed = 1) inputs Normal sum real(units = 3) })').model('C');
    const rows = Array.from({ length: 50 }, (_, i) => ({ a: Math.sin(i), b: Math.cos(i), c: (i % 7) / 3, d: Math.sin(3 * i) }));
    await m.fit(rows, { method: 'adam', maxIter: 20, seed: 1 });
    const p = m.params() as GraphParams;
    expect(p.family).toBe('squared');
    expectNodesMatch(p, irOf(m));
    expect(p.nodes.some((n) => n.kind === 'square')).toBe(true);
  });

  it("an integral circuit: its quadrature circuit by node, the leaf means its net's values there, the nets by the artifact's names", async () => {
    const m = compile('model W(x) = integral z: real in [-1, 1] by gauss_legendre(points = 16, eval_points = 32) of Normal(mean = mlp(hidden = 8, layers = 1), sd = mlp(hidden = 4, layers = 1))').model('W');
    await m.fit(Array.from({ length: 50 }, (_, i) => ({ x: Math.sin(i) })), { method: 'adam', epochs: 2, batch: 50, seed: 1 });
    const p = m.params() as GraphParams;
    const ir = irOf(m);
    expect(p.family).toBe('integral');
    // The nets' weights: parameters no node of the quadrature circuit names, exactly as saved.
    const nets = Object.keys(ir.params).filter((k) => /\.(l0|out)\.[wb]$/.test(k));
    expect(nets).toHaveLength(8);
    for (const k of nets) expect(p.other[k]!.value).toEqual(raw(ir, k));
    // The leaf layer: one Normal per evaluation point, its mean the mean net at that point
    // (tanh hidden layer, linear output), at the 32 Gauss-Legendre nodes on [-1, 1].
    const leaf = p.nodes.find((n) => n.kind === 'input')!;
    expect(leaf.units).toBe(32);
    const [w0, b0, w1, b1] = ['n0.mean.l0.w', 'n0.mean.l0.b', 'n0.mean.out.w', 'n0.mean.out.b'].map((k) => raw(ir, k));
    const net = (z: number): number => b1![0]! + w0!.reduce((acc, w, j) => acc + w1![j]! * Math.tanh(w * z + b0![j]!), 0);
    const expected = gaussLegendreNodes(32).map(net).sort((a, b) => a - b);
    const got = [...leaf.params.mean!.value].sort((a, b) => a - b);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 9));
  });

  it('a Chow-Liu tree: every node, and the smoothing alpha no node names', async () => {
    const m = compile('model T(a, b, c) = chow_liu(alpha = 0.5)').model('T');
    const rows = Array.from({ length: 40 }, (_, i) => ({ a: i % 2, b: (i >> 1) % 2, c: i % 3 === 0 ? 1 : 0 }));
    await m.fit(rows, { method: 'em' });
    const p = m.params() as GraphParams;
    expect(p.family).toBe('chow_liu');
    const ir = irOf(m);
    expectNodesMatch(p, ir);
    expect(Object.values(p.other).map((v) => v.value)).toContainEqual([0.5]);
  });
});

/** The n Gauss-Legendre nodes on [-1, 1]: roots of P_n by Newton from Chebyshev guesses. */
function gaussLegendreNodes(n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      const dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    return x;
  });
}
