// Sparse GP experts (inference = sparse(m = M)): the collapsed bound's analytic gradient is its
// central difference, and with the inputs as inducing inputs the bound is the exact weighted log
// marginal likelihood; with m >= n inducing inputs (Z = X) a mixture's EM fit equals the exact GP
// experts' to 1e-6 (predictions and densities); 20,000 rows, refused for exact experts, fit with
// m = 32; bad items name their place; a fitted sparse mixture round-trips through its artifact.
import { describe, expect, it } from 'vitest';
import { compile, load } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';
import { GPCore } from '../../runtime/gp/core.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { ModelState } from '../../runtime/state.js';
import { sparseBound } from '../../families/moe/expert-gp-sparse.js';
import type { GPNode, IRGraph } from '../../ir/types.js';
import { Session } from '../../session/session.js';
import { compileOk, writeCsv } from '../helpers/programs.js';

const rng = new Rng(3);
const rows = Array.from({ length: 60 }, (_, i) => {
  const x = (i / 59) * 8;
  return { x, y: x < 4 ? Math.sin(2 * x) + 0.1 * rng.normal() : 0.5 * x - 2 + 0.4 * rng.normal() };
});

/** A one-expert GP state (from a compiled GP model) and its data with noise multipliers. */
function gpSetup(n: number): { core: GPCore; d: Parameters<typeof exactLml>[1] } {
  const m = compile('model G = gp(x -> y) { kernel = 1.4 * rbf(ls = 0.9); noise = 0.05; mean = constant(c = 0.2) }').model('G');
  const graph = JSON.parse(m.save()).ir as IRGraph;
  const state = new ModelState(graph);
  const core = new GPCore(state, graph.nodes[0] as GPNode);
  const r = new Rng(7);
  const x = Float64Array.from({ length: n }, (_, i) => (i / n) * 6 + 0.1 * r.normal());
  return { core, d: { x, y: Float64Array.from(x, (v) => Math.sin(v) + 0.2 * r.normal()), n, stride: 1, task: new Int32Array(n), dropped: 0, noiseScale: Float64Array.from({ length: n }, () => 1 + 3 * r.uniform()) } };
}

describe('the sparse GP expert\'s collapsed bound', () => {
  it('with Z = X it is the exact weighted log marginal likelihood, with the same gradient', () => {
    const { core, d } = gpSetup(25);
    const s = sparseBound(core, d, d.x, d.n, true);
    const e = exactLml(core, d, true);
    expect(Math.abs(s.F - e.lml)).toBeLessThan(1e-6);
    const gs = core.packGrad(s.grad!);
    const ge = core.packGrad(e.grad!);
    ge.forEach((v, i) => expect(Math.abs(gs[i]! - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
  });

  it('its gradient is the central difference (m < n)', () => {
    const { core, d } = gpSetup(40);
    const z = Float64Array.from([0.5, 1.7, 3.1, 4.2, 5.5]);
    const theta = core.pack();
    core.unpack(theta);
    const g = core.packGrad(sparseBound(core, d, z, 5, true).grad!);
    const F = (t: Float64Array): number => {
      core.unpack(t);
      return sparseBound(core, d, z, 5, false).F;
    };
    for (let j = 0; j < theta.length; j++) {
      const up = Float64Array.from(theta);
      const dn = Float64Array.from(theta);
      const h = 1e-5;
      up[j] += h;
      dn[j] -= h;
      const fd = (F(up) - F(dn)) / (2 * h);
      expect(Math.abs(fd - g[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
    }
  });
});

describe('a mixture of sparse GP experts', () => {
  it('with m >= n inducing inputs (the data) equals the exact GP experts to 1e-6', async () => {
    const body = 'k = 2; gate = softmax(ridge = 0.01); expert = gp(steps = 3); kernel = 1 * rbf(ls = 1); noise = 0.1';
    const exact = compile(`model M = experts(x -> y) { ${body} }`).model('M');
    const sparse = compile(`model M = experts(x -> y) { ${body}; inference = sparse(m = 100) }`).model('M');
    for (const m of [exact, sparse]) await m.fit(rows, { method: 'em', restarts: 1, maxIter: 8, tol: 0, seed: 2 });
    const at = [{ x: 0.5 }, { x: 3.9 }, { x: 7.5 }];
    const a = exact.predict(at);
    const b = sparse.predict(at);
    a.forEach((r, i) => {
      expect(Math.abs(b[i]![0]!.mean - r[0]!.mean)).toBeLessThan(1e-6);
      expect(Math.abs(b[i]![0]!.std_y - r[0]!.std_y)).toBeLessThan(1e-6);
    });
    const test = [{ x: 1, y: 0.8 }, { x: 6, y: 1.2 }];
    const la = exact.logProb(test);
    sparse.logProb(test).forEach((v, i) => expect(Math.abs(v - la[i]!)).toBeLessThan(1e-6));
    // and the artifact round-trips
    const again = load(sparse.save());
    expect(again.predict(at)).toEqual(b);
  });

  it('fits 20,000 rows (refused for exact experts)', async () => {
    const r = new Rng(9);
    const many = Array.from({ length: 20_000 }, () => {
      const x = 10 * r.uniform();
      return { x, y: x < 5 ? Math.sin(x) + 0.1 * r.normal() : 2 + 0.5 * r.normal() };
    });
    const exact = compile('model M = experts(x -> y) { k = 2; expert = gp }').model('M');
    await expect(exact.fit(many, { method: 'em' })).rejects.toThrow(/20,000 rows for exact GP experts/);
    const m = compile('model M = experts(x -> y) { k = 2; gate = softmax(ridge = 0.01); expert = gp(steps = 2); kernel = 1 * rbf(ls = 1); inference = sparse(m = 32) }').model('M');
    const s = await m.fit(many, { method: 'em', restarts: 1, maxIter: 2, seed: 1 });
    expect(Number.isFinite(s.mean_log_likelihood)).toBe(true);
    const p = m.predict([{ x: 2 }, { x: 8 }]);
    expect(Math.abs(p[0]![0]!.mean - Math.sin(2))).toBeLessThan(0.3);
    expect(Math.abs(p[1]![0]!.mean - 2)).toBeLessThan(0.3);
  }, 600_000);

  it('bad inference items name their place', () => {
    const diag = (text: string): string[] => {
      const s = new Session(compileOk(`data d from "${writeCsv(['x', 'y'], [[1, 2]])}" { x: real, y: real }\n${text}\nfit M on d\n`));
      return s.check().map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);
    };
    expect(diag('model M = experts(x -> y) { expert = gp; inference = sparse(m = 0) }')).toEqual(['2:65 m = 0: expected a whole number from 1 to 2000']);
    expect(diag('model M = experts(x -> y) { expert = gp; inference = vecchia(m = 3) }')[0]).toMatch(/^2:54 inference is exact or sparse\(m = 64\)/);
    expect(diag('model M = experts(x -> y) { inference = sparse(m = 8) }')[0]).toMatch(/'inference' is an item of GP experts/);
  });
});
