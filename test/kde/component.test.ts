// A KDE as a part of a mixture or a product: the fitted mixture's density equals
// sum_k w_k KDE_k(x) written here (weighted points, Scott's rule on Kish's effective n and the
// weighted covariance, as scipy's gaussian_kde with weights); EM never lowers the likelihood;
// densities integrate to 1; queries (marginals, conditionals, samples) agree with sums written
// here; artifacts round-trip; what is not available is refused by name.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { familyOf } from '../../families/index.js';
import type { FamilyNode } from '../../ir/types.js';
import { parseQuery } from '../../language/index.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { fitEM } from '../../runtime/learners/em.js';
import type { QueryAnswer } from '../../runtime/queries/answer.js';
import type { ModelState } from '../../runtime/state.js';
import { loadState } from '../../session/load-artifact.js';
import { Session } from '../../session/session.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, writeCsv } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const faithful = join(root, 'examples/data/faithful.csv');
function fitted(model: string, csv = faithful, decl = '{ eruptions: real  waiting: real }', fit = 'fit M on d'): Session {
  const s = new Session(compileOk(`data d from "${csv}" ${decl}\nmodel M = ${model}\n${fit}\n`));
  for (const st of s.program.steps) if (st.kind === 'fit') s.fit(st);
  return s;
}

function ask(s: Session, q: string): QueryAnswer {
  const { query, diagnostics } = parseQuery(q);
  if (!query) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return s.query('M', query);
}

const logp = (s: Session, q: string): number => {
  const a = ask(s, q);
  if (a.kind !== 'density') throw new Error(a.kind);
  return a.logValue;
};

/** The fitted parts' points and per-component weights, read from the state. */
function parts(state: ModelState): { node: FamilyNode; points: Float64Array; weights: Float64Array[] } {
  const node = state.nodes.find((n): n is FamilyNode => n.kind === 'family')!;
  const points = state.values.get(node.params.points!)!;
  const n = points.length / node.scope.length;
  const w = state.values.get(node.params.weights!)!;
  return { node, points, weights: Array.from({ length: node.units }, (_, u) => w.slice(u * n, (u + 1) * n)) };
}

/** Scott's H for weighted points (scipy gaussian_kde with weights): n_eff^(-2/(d+4)) Cov_w, numpy cov(aweights), ddof 1. */
function scottH(x: Float64Array, d: number, w: Float64Array): number[][] {
  const n = w.length;
  const sw = w.reduce((a, b) => a + b, 0);
  const p = Array.from(w, (v) => v / sw);
  const neff = 1 / p.reduce((a, b) => a + b * b, 0);
  const m = Array.from({ length: d }, (_, j) => p.reduce((s, pi, i) => s + pi * x[i * d + j]!, 0));
  const f2 = neff ** (-2 / (d + 4));
  const denom = 1 - p.reduce((a, b) => a + b * b, 0);
  return Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => {
      let c = 0;
      for (let i = 0; i < n; i++) c += p[i]! * (x[i * d + a]! - m[a]!) * (x[i * d + b]! - m[b]!);
      return (f2 * c) / denom;
    }),
  );
}

/** log of sum_i p_i N(q; x_i, H), 1-D or 2-D, written out. */
function kdeLog(q: number[], x: Float64Array, d: number, w: Float64Array, H: number[][]): number {
  const sw = w.reduce((a, b) => a + b, 0);
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    if (d === 1) {
      const z = q[0]! - x[i]!;
      s += (w[i]! / sw) * Math.exp(-0.5 * (z * z) / H[0]![0]!) / Math.sqrt(2 * Math.PI * H[0]![0]!);
    } else {
      const [a, b, c] = [H[0]![0]!, H[0]![1]!, H[1]![1]!];
      const det = a * c - b * b;
      const [dx, dy] = [q[0]! - x[2 * i]!, q[1]! - x[2 * i + 1]!];
      const qf = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
      s += ((w[i]! / sw) * Math.exp(-0.5 * qf)) / (2 * Math.PI * Math.sqrt(det));
    }
  }
  return Math.log(s);
}

function mixingWeights(state: ModelState): Float64Array {
  const root = state.node(state.graph.root);
  if (root.kind !== 'mixing') throw new Error('root');
  return state.values.get(root.weights)!;
}

describe('a KDE as a component of a mixture', () => {
  const s = fitted('mixture(k = 2) of kde()');
  const state = s.stateOf('M');
  const { points, weights } = parts(state);
  const pi = mixingWeights(state);

  it('its density is sum_k w_k KDE_k(x), each KDE_k on its weighted rows with Scott on Kish n_eff and the weighted covariance (written here)', () => {
    const Hs = weights.map((w) => scottH(points, 2, w));
    for (const q of [
      [3.1, 70],
      [1.8, 54],
      [4.5, 82],
      [6, 40],
    ]) {
      const ref = Math.log(pi.reduce((acc, wk, k) => acc + wk * Math.exp(kdeLog(q, points, 2, weights[k]!, Hs[k]!)), 0));
      expect(logp(s, `logp(eruptions = ${q[0]}, waiting = ${q[1]})`)).toBeCloseTo(ref, 10);
    }
    // the components are different (EM separated the two clusters): their weighted means differ by > 1 minute of eruption
    const meanOf = (w: Float64Array): number => w.reduce((acc, v, i) => acc + v * points[2 * i]!, 0) / w.reduce((a, b) => a + b, 0);
    expect(Math.abs(meanOf(weights[0]!) - meanOf(weights[1]!))).toBeGreaterThan(1);
  });

  it('fits better than one KDE in-sample and reports the bandwidths chosen as free parameters (one per component)', () => {
    const one = fitted('kde()', faithful, '{ eruptions: real  waiting: real }', 'fit M on d');
    const two = s.fit(s.program.steps[0] as never);
    const single = one.fit(one.program.steps[0] as never);
    expect(two.mean_log_likelihood).toBeGreaterThan(single.mean_log_likelihood);
    // 1 mixing weight + one Scott bandwidth per component
    expect(two.parameters).toBe(3);
  });

  it('marginals are the mixture of the components\' marginals (1-D sums written here)', () => {
    const Hs = weights.map((w) => scottH(points, 2, w));
    for (const e of [1.9, 3.3, 4.4]) {
      let p = 0;
      weights.forEach((w, k) => {
        const x1 = Float64Array.from({ length: w.length }, (_, i) => points[2 * i]!);
        p += pi[k]! * Math.exp(kdeLog([e], x1, 1, w, [[Hs[k]![0]![0]!]]));
      });
      expect(logp(s, `logp(eruptions = ${e})`)).toBeCloseTo(Math.log(p), 10);
    }
  });

  it('a conditional mean is the posterior-weighted mean of each component\'s conditional KDE (gaussian regression shift, written here)', () => {
    const Hs = weights.map((w) => scottH(points, 2, w));
    const e = 4.5;
    let num = 0;
    let den = 0;
    weights.forEach((w, k) => {
      const H = Hs[k]!;
      const sw = w.reduce((a, b) => a + b, 0);
      for (let i = 0; i < w.length; i++) {
        const z = e - points[2 * i]!;
        const g = (pi[k]! * (w[i]! / sw) * Math.exp(-0.5 * (z * z) / H[0]![0]!)) / Math.sqrt(2 * Math.PI * H[0]![0]!);
        num += g * (points[2 * i + 1]! + (H[0]![1]! / H[0]![0]!) * z);
        den += g;
      }
    });
    const a = ask(s, `mean(waiting | eruptions = ${e})`);
    expect(a.kind).toBe('mean');
    if (a.kind === 'mean') expect(a.summary[0]!.mean!).toBeCloseTo(num / den, 8);
  });

  it('samples follow the model: the mean of 4000 draws is within 4 standard errors of mean()', () => {
    const a = ask(s, 'sample(4000, seed = 3)');
    const m = ask(s, 'mean()');
    if (a.kind !== 'sample' || m.kind !== 'mean') throw new Error('kinds');
    for (const j of [0, 1]) {
      const xs = a.rows.map((r) => r[j] as number);
      const mean = xs.reduce((p, q) => p + q, 0) / xs.length;
      const sd = m.summary[j]!.sd!;
      expect(Math.abs(mean - m.summary[j]!.mean!)).toBeLessThan((4 * sd) / Math.sqrt(xs.length));
    }
    // conditional draws keep the given value
    const c = ask(s, 'sample(5, seed = 1 | eruptions = 2)');
    if (c.kind === 'sample') for (const r of c.rows) expect(r[0]).toBe(2);
  });

  it('round-trips through an artifact; a broken weight or bandwidth is refused naming the field', () => {
    const text = serializeArtifact(s.artifact('M'));
    const loaded = loadState(text).state;
    const q = new Float64Array([3.1, 70, 1.7, 50, 4.4, NaN]);
    expect(Array.from(familyOf(loaded.graph).logDensityRows(loaded, q, 3))).toEqual(Array.from(familyOf(state.graph).logDensityRows(state, q, 3)));
    expect(loaded.graph.family).toBe('mixture');
    expect(JSON.stringify(loaded.toGraph().params)).toBe(JSON.stringify(state.toGraph().params));
    const art = JSON.parse(text);
    const node = art.ir.nodes.find((n: { kind: string }) => n.kind === 'family');
    const wName = node.params.weights;
    art.ir.params[wName].value[0] += 0.5;
    expect(() => loadState(JSON.stringify(art))).toThrow(new RegExp(`field ir\\.params\\['${wName.replace('.', '\\.')}'\\]\\.value: the weights of component 1 sum to`));
    const art2 = JSON.parse(text);
    const hName = node.params.bandwidth;
    art2.ir.params[hName].value[0] = -1;
    expect(() => loadState(JSON.stringify(art2))).toThrow(/bandwidth matrix of component 1 is not positive definite/);
  });
});

/** A session on rows written to a CSV, with the model's state lowered on them (for EM run directly). */
function onRows(model: string, rows: number[][], names: string[]): { s: Session; state: ModelState; x: Float64Array } {
  const csv = writeCsv(names, rows);
  const s = new Session(compileOk(`data d from "${csv}" { ${names.map((n) => `${n}: real`).join('  ')} }\nmodel M = ${model}\nfit M on d\n`));
  const vars = s.variables('M', 'd');
  const x = Float64Array.from(rows.flat());
  return { s, state: s.lower('M', vars, { x, n: rows.length }, 'train'), x };
}

function clusters(rng: Rng, n: number, d: number, k: number): number[][] {
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 6 * rng.normal()));
  return Array.from({ length: n }, () => {
    const c = centres[rng.int(k)]!;
    return c.map((m) => m + rng.normal() * (0.5 + rng.uniform()));
  });
}

describe('EM with KDE components', () => {
  it('never lowers the likelihood (fast-check: data, dimension, k, kernel, bandwidth rule)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 2, max: 3 }),
        fc.constantFrom('gaussian', 'epanechnikov', 'exponential'),
        fc.constantFrom('scott', 'silverman', 'normal_reference', '0.7'),
        fc.boolean(),
        (seed, d, k, kernel, bw, withNormal) => {
          const rng = new Rng(seed);
          const rows = clusters(rng, 25 + rng.int(40), d, k);
          const names = d === 1 ? ['x'] : ['x', 'y'];
          const comp = `kde(kernel = ${kernel}, bandwidth = ${bw}${kernel !== 'gaussian' ? ', form = "product"' : ''})`;
          const model = withNormal ? `mixture { ${comp}, ${comp}, Normal }` : `mixture(k = ${k}) of ${comp}`;
          const { state, x } = onRows(model, rows, names);
          const { result } = fitEM(state, x, rows.length, new Float64Array(rows.length).fill(1), { method: 'em', maxIter: 25, tol: 0, restarts: 1, init: 'kmeans', regCovar: 1e-6, seed });
          const t = result.trace;
          expect(t.length).toBeGreaterThan(5);
          for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]! - 1e-12 * Math.abs(t[i - 1]!));
        },
      ),
      { numRuns: 25, seed: 15 },
    );
  });

  it('with a Normal beside the KDE: the density is w1 KDE(x) + w2 N(x) written here from the fitted values', () => {
    const rng = new Rng(4);
    const rows = clusters(rng, 80, 1, 2);
    const { s } = onRows('mixture { kde(), Normal }', rows, ['x']);
    s.fit(s.program.steps[0] as never);
    const st = s.stateOf('M');
    const { points, weights } = parts(st);
    const pi = mixingWeights(st);
    const normal = st.nodes.find((n) => n.kind === 'input')!;
    const [mu, sd] = [st.values.get((normal as { params: Record<string, string> }).params.mean!)![0]!, Math.sqrt(st.values.get((normal as { params: Record<string, string> }).params.var ?? (normal as { params: Record<string, string> }).params.cov!)![0]!)];
    const H = scottH(points, 1, weights[0]!);
    for (const q of [-3, 0, 2.5, 7]) {
      const ref = Math.log(pi[0]! * Math.exp(kdeLog([q], points, 1, weights[0]!, H)) + (pi[1]! * Math.exp(-0.5 * ((q - mu) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI)));
      expect(logp(s, `logp(x = ${q})`)).toBeCloseTo(ref, 10);
    }
  });
});

describe('densities of models with KDE parts integrate to 1', () => {
  const trapezoid = (f: (x: number) => number, lo: number, hi: number, m: number): number => {
    const h = (hi - lo) / m;
    let s = 0.5 * (f(lo) + f(hi));
    for (let i = 1; i < m; i++) s += f(lo + i * h);
    return s * h;
  };

  it('1-D: mixture(k = 2) of kde() (gaussian and epanechnikov)', () => {
    const rows = clusters(new Rng(9), 60, 1, 2);
    for (const kernel of ['gaussian', 'epanechnikov']) {
      const { s } = onRows(`mixture(k = 2) of kde(kernel = ${kernel})`, rows, ['x']);
      s.fit(s.program.steps[0] as never);
      const st = s.stateOf('M');
      const lo = Math.min(...rows.flat()) - 15;
      const hi = Math.max(...rows.flat()) + 15;
      const m = 6000;
      const xs = Float64Array.from({ length: m + 1 }, (_, i) => lo + ((hi - lo) * i) / m);
      const lp = familyOf(st.graph).logDensityRows(st, xs, m + 1);
      const total = trapezoid((x) => Math.exp(lp[Math.round(((x - lo) / (hi - lo)) * m)]!), lo, hi, m);
      expect(total).toBeCloseTo(1, kernel === 'gaussian' ? 6 : 3);
    }
  });

  it('2-D: mixture(k = 2) of kde() and product { x: kde(), y: Normal } (tensor trapezoid)', () => {
    const rows = clusters(new Rng(11), 40, 2, 2);
    for (const model of ['mixture(k = 2) of kde()', 'product { x: kde(), y: Normal }', 'mixture(k = 2) of product { x: kde(), y: Normal }']) {
      const { s } = onRows(model, rows, ['x', 'y']);
      s.fit(s.program.steps[0] as never);
      const st = s.stateOf('M');
      const span = (j: number): [number, number] => [Math.min(...rows.map((r) => r[j]!)) - 12, Math.max(...rows.map((r) => r[j]!)) + 12];
      const [[x0, x1], [y0, y1]] = [span(0), span(1)];
      const m = 240;
      const grid = new Float64Array((m + 1) * (m + 1) * 2);
      for (let i = 0; i <= m; i++)
        for (let j = 0; j <= m; j++) {
          grid[2 * (i * (m + 1) + j)] = x0 + ((x1 - x0) * i) / m;
          grid[2 * (i * (m + 1) + j) + 1] = y0 + ((y1 - y0) * j) / m;
        }
      const lp = familyOf(st.graph).logDensityRows(st, grid, (m + 1) * (m + 1));
      let total = 0;
      for (let i = 0; i <= m; i++)
        for (let j = 0; j <= m; j++) total += (i === 0 || i === m ? 0.5 : 1) * (j === 0 || j === m ? 0.5 : 1) * Math.exp(lp[i * (m + 1) + j]!);
      expect([model, total * ((x1 - x0) / m) * ((y1 - y0) / m)]).toEqual([model, expect.closeTo(1, 3)]);
    }
  });
});

describe('a KDE as a part of a product', () => {
  it('product { (x, y): kde(), z: Normal }: log p = the KDE over (x, y) (written here) + the Normal of z', () => {
    const rng = new Rng(21);
    const rows = clusters(rng, 50, 3, 2);
    const { s } = onRows('product { (x, y): kde(), z: Normal }', rows, ['x', 'y', 'z']);
    s.fit(s.program.steps[0] as never);
    const st = s.stateOf('M');
    const { points, weights } = parts(st);
    const z = rows.map((r) => r[2]!);
    const mz = z.reduce((a, b) => a + b, 0) / z.length;
    const vz = z.reduce((a, b) => a + (b - mz) ** 2, 0) / z.length;
    const H = scottH(points, 2, weights[0]!);
    for (const q of [
      [0, 0, 0],
      [2, -1, 3],
    ]) {
      const ref = kdeLog([q[0]!, q[1]!], points, 2, weights[0]!, H) - 0.5 * Math.log(2 * Math.PI * vz) - (0.5 * (q[2]! - mz) ** 2) / vz;
      expect(logp(s, `logp(x = ${q[0]}, y = ${q[1]}, z = ${q[2]})`)).toBeCloseTo(ref, 5);
    }
  });
});

describe('what a model with a KDE part refuses, by name', () => {
  const rows = clusters(new Rng(2), 30, 1, 2);
  it('mode(), intervals, adam, streaming, cv bandwidths, standalone-only arguments, circuits', () => {
    const { s } = onRows('mixture(k = 2) of kde()', rows, ['x']);
    s.fit(s.program.steps[0] as never);
    expect(() => ask(s, 'mode()')).toThrow(/mode\(\.\.\.\) is not available for a model with a kde\(\.\.\.\) part/);
    expect(() => ask(s, 'p(x in [0, 1])')).toThrow(/interval probabilities are not available for a model with a kde\(\.\.\.\) part/);
    const csv = writeCsv(['x'], rows);
    const fit = (model: string, how = ''): string => {
      const t = new Session(compileOk(`data d from "${csv}" { x: real }\nmodel M = ${model}\nfit M on d${how}\n`));
      const diags = t.check().map((d) => d.message);
      if (diags.length) return diags.join('; ');
      try {
        t.fit(t.program.steps[0] as never);
      } catch (e) {
        return (e as Error).message;
      }
      return 'fitted';
    };
    expect(fit('mixture(k = 2) of kde()', ' by adam(lr = 0.1, epochs = 2)')).toMatch(/M has a kde\(\.\.\.\) part: it is fitted by EM .*, not by adam/);
    expect(fit('mixture(k = 2) of kde()', ' by em(stream = true)')).toMatch(/cannot be fitted by streaming EM/);
    expect(fit('mixture(k = 2) of kde(bandwidth = cv(grid = [0.1, 0.2]))')).toMatch(/takes a rule .* not cv\(\.\.\.\)/);
    expect(fit('mixture(k = 2) of kde(max_points = 10)')).toMatch(/kde's 'max_points' is for a KDE that stands alone/);
    expect(fit('mixture(k = 2) of kde(kernel = gausian)')).toMatch(/unknown kernel 'gausian'/);
    expect(fit('square(mixture(k = 2) of kde())')).toMatch(/works inside mixtures and products only/);
  });
});
