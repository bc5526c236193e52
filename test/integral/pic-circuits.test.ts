// Integral circuits built from region graphs: the materialized circuit is a normalized
// density for every quadrature rule (brute-force sums over all binary states, numerical
// integration for real variables), gradients through it equal finite differences, and the
// same functions can be materialized at other point counts.
import { describe, expect, it } from 'vitest';
import { compileOk } from '../helpers/programs.js';
import { Session } from '../../session/session.js';
import { ModelState } from '../../runtime/state.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { initializeIntegral } from '../../runtime/integral/initialize.js';
import { refreshLatent } from '../../runtime/integral/latent-params.js';
import { gradients } from '../../runtime/learners/adam.js';
import { Rng } from '../../stdlib/random.js';

/** A model over binary variables b0..b{V-1} with its nets drawn at random (as a fit starts). */
function binaryState(V: number, circuitBody: string, seed = 1, points: 'train' | 'eval' | number = 'train'): ModelState {
  const names = Array.from({ length: V }, (_, i) => `b${i}`);
  const program = compileOk(`model M(${names.join(', ')}) = circuit { ${circuitBody} }`);
  const s = new Session(program);
  const vars = names.map((name) => ({ name, type: { kind: 'bool' as const } }));
  const state = s.lower('M', vars, undefined, points);
  const rng = new Rng(seed);
  const n = 50;
  const x = Float64Array.from({ length: n * V }, () => (rng.uniform() < 0.4 ? 1 : 0));
  initializeIntegral(state, x, n, new Float64Array(n).fill(1), 1e-6, rng);
  return state;
}

function allStates(V: number): Float64Array {
  const x = new Float64Array((1 << V) * V);
  for (let s = 0; s < 1 << V; s++) for (let j = 0; j < V; j++) x[s * V + j] = (s >> j) & 1;
  return x;
}

function totalMass(state: ModelState, V: number): number {
  const lp = logDensityRows(state, allStates(V), 1 << V);
  return lp.reduce((t, l) => t + Math.exp(l), 0);
}

describe('integral circuits are normalized', () => {
  const rules = ['gauss_legendre(points = 5)', 'trapezoid(points = 4)', 'midpoint(points = 3)', 'gauss_hermite(points = 6)'];
  for (const rule of rules) {
    for (const product of ['hadamard', 'kronecker', 'cp']) {
      it(`${rule}, product ${product}: the probabilities of all 2^6 states sum to 1`, () => {
        const state = binaryState(6, `region random_tree(depth = 3, seed = 2)  integral ${rule}  net mlp(hidden = 6, layers = 1)  product ${product}`);
        expect(Math.abs(totalMass(state, 6) - 1)).toBeLessThan(1e-12);
      });
    }
  }

  it('every sharing mode gives a normalized circuit, and sharing shrinks the nets', () => {
    const counts: number[] = [];
    for (const sharing of ['none', 'composite', 'full']) {
      const state = binaryState(8, `region quad_tree(width = 4)  integral gauss_legendre(points = 4)  net mlp(hidden = 8, layers = 2)  sharing ${sharing}`);
      expect(Math.abs(totalMass(state, 8) - 1)).toBeLessThan(1e-12);
      counts.push(state.freeParameterCount());
    }
    expect(counts[0]!).toBeGreaterThan(counts[1]!);
    expect(counts[1]!).toBeGreaterThan(counts[2]!);
  });

  for (const rule of ['gauss_legendre(points = 6)', 'trapezoid(points = 5)', 'midpoint(points = 4)', 'gauss_hermite(points = 5)']) {
    it(`a continuous integral circuit integrates to 1 over the real plane: ${rule}`, () => {
      const program = compileOk(`model M(x, y) = circuit { region linear  integral ${rule}  inputs Normal  net mlp(hidden = 8, layers = 1) }`);
      const s = new Session(program);
      const state = s.lower('M', [{ name: 'x', type: { kind: 'real' } }, { name: 'y', type: { kind: 'real' } }], undefined, 'train');
      const rng = new Rng(3);
      const n = 80;
      const data = Float64Array.from({ length: 2 * n }, () => rng.normal());
      initializeIntegral(state, data, n, new Float64Array(n).fill(1), 1e-6, rng);
      // Midpoint rule on [-12, 12]^2 (the leaves have sd about 1; the tails beyond are < 1e-20).
      const m = 300;
      const h = 24 / m;
      const grid = new Float64Array(m * m * 2);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) grid.set([-12 + (i + 0.5) * h, -12 + (j + 0.5) * h], (i * m + j) * 2);
      const lp = logDensityRows(state, grid, m * m);
      const mass = lp.reduce((t, l) => t + Math.exp(l), 0) * h * h;
      expect(Math.abs(mass - 1)).toBeLessThan(1e-6);
    });
  }
});

describe('training through the materialized circuit', () => {
  it('gradients w.r.t. the nets equal central finite differences', () => {
    const V = 6;
    const state = binaryState(V, `region random_tree(depth = 3, seed = 4)  integral gauss_legendre(points = 4)  net mlp(hidden = 5, layers = 2)  sharing composite`, 7);
    const rng = new Rng(11);
    const n = 20;
    const x = Float64Array.from({ length: n * V }, () => (rng.uniform() < 0.5 ? 1 : 0));
    x[3] = NaN; // a missing cell is marginalized
    const w = Float64Array.from({ length: n }, () => 0.5 + rng.uniform());
    const ll = (): number => {
      refreshLatent(state);
      const lp = logDensityRows(state, x, n);
      return lp.reduce((t, l, i) => t + w[i]! * l, 0);
    };
    refreshLatent(state);
    const g = gradients(state, x, n, w);
    const netParams = [...state.values.keys()].filter((k) => /\.(l\d|out)\.[wb]$/.test(k));
    expect(netParams.length).toBeGreaterThan(5);
    let checked = 0;
    for (const k of netParams) {
      const v = state.values.get(k)!;
      for (const i of [0, v.length - 1]) {
        const old = v[i]!;
        const h = 1e-5;
        v[i] = old + h;
        const up = ll();
        v[i] = old - h;
        const down = ll();
        v[i] = old;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(g.get(k)![i]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        checked++;
      }
    }
    refreshLatent(state);
    expect(checked).toBeGreaterThan(10);
  });

  it('the same functions materialize at another point count (evaluation points), converging as points grow', () => {
    const state = binaryState(6, `region random_tree(depth = 3, seed = 2)  integral gauss_legendre(points = 8, eval_points = 64)  net mlp(hidden = 6, layers = 1)`, 5);
    const x = allStates(6);
    const fine = state.withPoints(200);
    const ref = logDensityRows(fine, x, 64);
    const errAt = (k: number | 'eval'): number => {
      const lp = logDensityRows(state.withPoints(k), x, 64);
      return Math.max(...Array.from(lp, (l, i) => Math.abs(l - ref[i]!)));
    };
    expect(state.withPoints('eval').graph.nodes.find((nd) => nd.id === state.graph.root)!.units).toBe(1);
    const e4 = errAt(4);
    const e16 = errAt(16);
    const e64 = errAt('eval');
    expect(e16).toBeLessThan(e4);
    expect(e64).toBeLessThanOrEqual(e16 + 1e-14);
    expect(e64).toBeLessThan(1e-8);
    // The materialized circuit at the evaluation size has 64 units per region.
    expect(Math.max(...state.withPoints('eval').graph.nodes.map((nd) => nd.units))).toBe(64);
  });
});

describe('circuit queries on an integral circuit', () => {
  it('marginals and conditionals equal brute-force sums of the materialized density; sampling and MAP run', async () => {
    const { familyOf } = await import('../../families/index.js');
    const { parseQuery } = await import('../../language/parse.js');
    const V = 5;
    const state = binaryState(V, `region random_tree(depth = 3, seed = 6)  integral gauss_legendre(points = 4)  net mlp(hidden = 6, layers = 1)`, 9);
    const all = allStates(V);
    const joint = Array.from(logDensityRows(state, all, 1 << V), Math.exp);
    const ask = (text: string) => familyOf(state.graph).answer(state, parseQuery(text).query!, { vars: state.graph.vars, file: '<q>', constants: new Map() });
    // p(b0 = 1 | b3 = 0) by enumeration
    let num = 0;
    let den = 0;
    for (let s = 0; s < 1 << V; s++) {
      if (((s >> 3) & 1) !== 0) continue;
      den += joint[s]!;
      if (s & 1) num += joint[s]!;
    }
    const a = ask('p(b0 = 1 | b3 = 0)');
    expect(a.kind).toBe('density');
    expect(Math.abs((a as { value: number }).value - num / den)).toBeLessThan(1e-12);
    const marg = ask('logp(b1 = 1)');
    let m1 = 0;
    for (let s = 0; s < 1 << V; s++) if ((s >> 1) & 1) m1 += joint[s]!;
    expect(Math.abs((marg as { logValue: number }).logValue - Math.log(m1))).toBeLessThan(1e-12);
    const draws = ask('sample(50, seed = 3)') as { rows: unknown[][] };
    expect(draws.rows).toHaveLength(50);
    expect(draws.rows.flat().every((v) => v === true || v === false || v === 0 || v === 1)).toBe(true);
    const mode = ask('mode(b2 = 1)') as { kind: string; logDensity: number };
    expect(mode.kind).toBe('mode');
    expect(Number.isFinite(mode.logDensity)).toBe(true);
  });
});
