// sos(c1, ..., cr) and c_plus * square(c) against independent closed forms and numerical
// integration: Z, normalization, densities, gradients (central differences), marginals,
// exact samples (Kolmogorov-Smirnov); the language forms and their refusals; the free
// parameter count of signed weights; signed initialization with negative weights.
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { logPartition, squaredGradients, squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { squaredCdf, squaredSample } from '../../runtime/squared/sample.js';
import { initializeSquared } from '../../runtime/squared/initialize.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, modelState, tempDir } from '../helpers/programs.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { Session } from '../../session/session.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { closedFormZ, logN, mixtureC, simpson } from './helpers.js';

const reals = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));
const lp = (s: ModelState, ...x: number[]): number => squaredLogDensity(s, Float64Array.from(x), 1)[0]!;
const N = (x: number, m: number, v: number): number => Math.exp(logN(x, m, v));

/** A 1-D or 2-D diag mixture written out: weights, means, sds. */
interface Mix {
  w: number[];
  m: number[][];
  s: number[][];
}
const text = (c: Mix): string =>
  `mixture(weights = [${c.w.join(', ')}]) { ${c.m
    .map((m, k) => (m.length === 1 ? `Normal(mean = ${m[0]}, sd = ${c.s[k]![0]})` : `Normal(diag, mean = [${m.join(', ')}], sd = [${c.s[k]!.join(', ')}])`))
    .join(', ')} }`;

/** integral of N(x | a, A) N(x | b, B) N(x | c, C) dx, from the pairwise product rule applied twice. */
function triple(a: number, A: number, b: number, B: number, c: number, C: number): number {
  const m = (a * B + b * A) / (A + B);
  const v = (A * B) / (A + B);
  return N(a, b, A + B) * N(c, m, C + v);
}

/** Z of c+ c^2 = sum_{k,i,j} v_k w_i w_j prod_d triple(...). */
function closedFormTimes(p: Mix, c: Mix): number {
  let z = 0;
  for (let k = 0; k < p.w.length; k++)
    for (let i = 0; i < c.w.length; i++)
      for (let j = 0; j < c.w.length; j++) {
        let t = p.w[k]! * c.w[i]! * c.w[j]!;
        for (let d = 0; d < c.m[0]!.length; d++) t *= triple(p.m[k]![d]!, p.s[k]![d]! ** 2, c.m[i]![d]!, c.s[i]![d]! ** 2, c.m[j]![d]!, c.s[j]![d]! ** 2);
        z += t;
      }
  return z;
}

const P1: Mix = { w: [0.3, 0.7], m: [[0.5], [-1]], s: [[1.5], [0.8]] };
const C1: Mix = { w: [1, -0.6], m: [[0], [0.3]], s: [[1], [0.5]] };
const C1b: Mix = { w: [0.8, 0.5, -0.4], m: [[-1.5], [1], [0.2]], s: [[0.6], [0.9], [0.3]] };
const P2: Mix = { w: [0.4, 0.6], m: [[0.2, -0.3], [-0.5, 0.8]], s: [[1.3, 1.1], [0.9, 1.6]] };
const C2: Mix = { w: [1, -0.7, 0.3], m: [[0, 0], [0.1, -0.2], [1.2, 0.5]], s: [[1.2, 1], [0.5, 0.6], [0.7, 0.9]] };
const C2b: Mix = { w: [0.6, -0.3], m: [[-1, 0.5], [-0.8, 0.4]], s: [[0.8, 0.7], [0.4, 0.5]] };

function timesModel(p: Mix, c: Mix, D: number): ModelState {
  const vars = D === 1 ? 'x0' : 'x0, x1';
  return modelState(`model P(${vars}) = ${text(p)}\nmodel S(${vars}) = P * square(${text(c)})`, 'S');
}
/** A model's state from text, with parameters left as lowered (data-initialized ones as placeholders). */
function lowered(body: string, D: number): ModelState {
  const { graph, diagnostics } = lowerModel(compileOk(`model M = ${body}`), 'M', reals(D));
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return new ModelState(graph);
}
const sosModel = (parts: Mix[], D: number): ModelState => modelState(`model S(${D === 1 ? 'x0' : 'x0, x1'}) = sos(${parts.map(text).join(', ')})`, 'S');

describe('c_plus * square(c): a monotone circuit times a squared one', () => {
  it('1-D: Z is the triple-product closed form to 1e-9, the density is c+ c^2 / Z and integrates to 1', () => {
    const s = timesModel(P1, C1, 1);
    expect(s.graph.family).toBe('squared');
    const z = closedFormTimes(P1, C1);
    expect(Math.abs(Math.exp(logPartition(s)) - z) / z).toBeLessThan(1e-9);
    for (const x of [-2, -0.3, 0.4, 2.5]) expect(Math.exp(lp(s, x))).toBeCloseTo((mixtureC(P1.w, P1.m, P1.s, [x]) * mixtureC(C1.w, C1.m, C1.s, [x]) ** 2) / z, 12);
    expect(simpson((x) => Math.exp(lp(s, x)), -14, 14, 4000)).toBeCloseTo(1, 8);
  });

  it('2-D diag: Z to 1e-9, p integrates to 1, the marginal of x0 matches numerical integration', () => {
    const s = timesModel(P2, C2, 2);
    const z = closedFormTimes(P2, C2);
    expect(Math.abs(Math.exp(logPartition(s)) - z) / z).toBeLessThan(1e-9);
    const inner = (x: number): number => simpson((y) => Math.exp(lp(s, x, y)), -9, 9, 200);
    expect(simpson(inner, -9, 9, 200)).toBeCloseTo(1, 6);
    for (const x of [-1, 0.4]) expect(Math.exp(lp(s, x, NaN))).toBeCloseTo(inner(x), 8);
  });

  it('gradients match central finite differences (complete rows and a row with a missing cell)', () => {
    const s = timesModel(P2, C2, 2);
    checkGradients(s);
  });

  it('10,000 exact samples pass Kolmogorov-Smirnov against the model CDF (p > 0.01)', () => {
    const s = timesModel(P1, C1b, 1);
    ks(s);
    const dens = (x: number): number => Math.exp(lp(s, x));
    expect(squaredCdf(s, 0, Float64Array.of(0.3))[0]!).toBeCloseTo(simpson(dens, -14, 0.3, 4000), 8);
  });
});

describe('sos(c1, ..., cr): sums of squares', () => {
  it('1-D: Z = sum_r closed-form integral of c_r^2 to 1e-9, density (c1^2 + c2^2) / Z integrates to 1', () => {
    const s = sosModel([C1, C1b], 1);
    const z = closedFormZ(C1.w, C1.m, C1.s) + closedFormZ(C1b.w, C1b.m, C1b.s);
    expect(Math.abs(Math.exp(logPartition(s)) - z) / z).toBeLessThan(1e-9);
    for (const x of [-2, 0.1, 1.7]) expect(Math.exp(lp(s, x))).toBeCloseTo((mixtureC(C1.w, C1.m, C1.s, [x]) ** 2 + mixtureC(C1b.w, C1b.m, C1b.s, [x]) ** 2) / z, 12);
    expect(simpson((x) => Math.exp(lp(s, x)), -14, 14, 4000)).toBeCloseTo(1, 8);
  });

  it('2-D: Z to 1e-9, the marginal of x1 matches numerical integration, gradients match finite differences', () => {
    const s = sosModel([C2, C2b], 2);
    const z = closedFormZ(C2.w, C2.m, C2.s) + closedFormZ(C2b.w, C2b.m, C2b.s);
    expect(Math.abs(Math.exp(logPartition(s)) - z) / z).toBeLessThan(1e-9);
    const col = (y: number): number => simpson((x) => Math.exp(lp(s, x, y)), -10, 10, 400);
    expect(Math.exp(lp(s, NaN, 0.6))).toBeCloseTo(col(0.6), 8);
    checkGradients(s);
  });

  it('10,000 exact samples pass Kolmogorov-Smirnov against the model CDF (p > 0.01)', () => {
    ks(sosModel([C1, C1b], 1));
  });

  it('each part must be structured-decomposable: the error is on that part', () => {
    const src = 'model M = sos(circuit { region random_tree(depth = 2) inputs Normal sum real(units = 2) }, circuit { region random_tree(depth = 2, repeats = 2) inputs Normal sum real(units = 2) })';
    const r = lowerModel(compileOk(src), 'M', reals(4));
    expect(r.graph).toBeUndefined();
    const d = r.diagnostics.find((x) => x.code === 'not-structured-decomposable')!;
    expect(d.message).toMatch(/^sos\(\.\.\.\) needs/);
    expect(src.slice(d.span!.startOffset, d.span!.endOffset + 1)).toMatch(/^region random_tree\(depth = 2, repeats = 2\)/);
  });
});

describe('the language forms', () => {
  it('P * square(c) with a circuit on both sides (the same region tree) lowers; a different tree is refused on c+', () => {
    const ok = lowerModel(compileOk('model P = circuit { region random_tree(depth = 2) inputs Normal sum(units = 2) }\nmodel M = P * square(circuit { region random_tree(depth = 2) inputs Normal sum real(units = 3) })'), 'M', reals(4));
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const root = ok.graph!.nodes.find((n) => n.id === ok.graph!.root)!;
    expect(root.kind === 'square' && root.monotone !== undefined).toBe(true);
    // c+'s weights stay simplex, c's are signed
    const kinds = new Set(Object.values(ok.graph!.params).filter((p) => p.name.endsWith('weights')).map((p) => p.param.kind));
    expect([...kinds].sort()).toEqual(['signed', 'simplex']);
    const src = 'model M = circuit { region random_tree(depth = 2, seed = 3) inputs Normal sum(units = 2) } * square(circuit { region random_tree(depth = 2, seed = 1) inputs Normal sum real(units = 3) })';
    const bad = lowerModel(compileOk(src), 'M', reals(6));
    expect(bad.graph).toBeUndefined();
    const d = bad.diagnostics.find((x) => x.code === 'not-structured-decomposable')!;
    expect(d.message).toMatch(/not compatible/);
    expect(src.slice(d.span!.startOffset, d.span!.endOffset + 1)).toMatch(/^region random_tree\(depth = 2, seed = 3\)/);
  });

  it('refuses c_plus * sos(...), and explains `mixture of A * square(c)`', () => {
    const a = lowerModel(compileOk('model M = mixture(k = 2) { Normal, Normal } * sos(mixture(k = 2) of Normal, mixture(k = 2) of Normal)'), 'M', reals(1));
    expect(a.diagnostics[0]!.message).toMatch(/one squared circuit.*not sos/);
    const b = lowerModel(compileOk('model M = mixture(k = 2) of Normal * square(mixture(k = 2) of Normal)'), 'M', reals(1));
    expect(b.diagnostics[0]!.message).toMatch(/whole model/);
    expect(b.diagnostics[0]!.hint).toMatch(/model S = A \* square\(c\)/);
  });
});

describe('fitting and artifacts of sos and c_plus * square(c)', () => {
  it('both fit by adam (the likelihood rises from the start) and round-trip through an artifact', () => {
    const dir = tempDir();
    const rng = new Rng(5);
    const rows = ['x,y'];
    for (let i = 0; i < 300; i++) {
      const a = 2 * Math.PI * rng.uniform();
      const r = 2 + 0.25 * rng.normal();
      rows.push(`${r * Math.cos(a)},${r * Math.sin(a)}`);
    }
    writeFileSync(join(dir, 'ring.csv'), rows.join('\n') + '\n');
    const head = 'data d from "ring.csv" { x: real, y: real }\nmodel P = mixture(k = 2) of Normal(diag)\n';
    for (const body of ['P * square(mixture(k = 3) of Normal(diag))', 'sos(mixture(k = 2) of Normal(diag), mixture(k = 2) of Normal(diag))']) {
      const fits = [1, 40].map((epochs) => {
        const p = compileOk(`${head}model M = ${body}\nfit M on d by adam(lr = 0.05, epochs = ${epochs}, batch = 100, seed = 1)`, join(dir, 'm.pmix'));
        const sess = new Session(p);
        const sum = sess.fit(p.steps.find((st) => st.kind === 'fit') as never);
        return { sess, ll: sum.mean_log_likelihood };
      });
      expect(Number.isFinite(fits[0]!.ll)).toBe(true);
      expect(fits[1]!.ll, body).toBeGreaterThan(fits[0]!.ll);
      const sess = fits[1]!.sess;
      const a = readArtifact(serializeArtifact(sess.artifact('M')));
      const s2 = new ModelState(a.ir);
      const x = Float64Array.of(2, 0.1, -1.5, 1.2, NaN, 0.3);
      expect(Array.from(squaredLogDensity(s2, x, 3))).toEqual(Array.from(squaredLogDensity(sess.stateOf('M'), x, 3)));
    }
  });
});

describe('signed weights: free parameters and initialization', () => {
  it('freeParameterCount counts every signed weight (U I), simplex weights as U (I - 1)', () => {
    const sq = lowered('square(mixture(k = 3) of Normal(diag))', 2);
    const mono = lowered('mixture(k = 3) of Normal(diag)', 2);
    expect(mono.freeParameterCount()).toBe(3 * 4 + 2);
    expect(sq.freeParameterCount()).toBe(3 * 4 + 3);
    const c = lowered('square(circuit { region random_tree(depth = 2) inputs Normal sum real(units = 3) })', 4);
    const weights = Object.values(c.graph.params).filter((p) => p.param.kind === 'signed').reduce((s, p) => s + p.value.length, 0);
    const mc = lowered('circuit { region random_tree(depth = 2) inputs Normal sum(units = 3) }', 4);
    const simplex = Object.values(mc.graph.params).filter((p) => p.param.kind === 'simplex').reduce((s, p) => s + p.shape[0]! * (p.shape[1]! - 1), 0);
    expect(c.freeParameterCount() - weights).toBe(mc.freeParameterCount() - simplex);
  });

  it('data-initialized signed weights include negative values; weights written in the text are kept', () => {
    const s = lowered('square(mixture(k = 8) of Normal(diag))', 2);
    const rng = new Rng(3);
    const n = 400;
    const x = Float64Array.from({ length: 2 * n }, () => rng.normal());
    initializeSquared(s, x, n, new Float64Array(n).fill(1), 'kmeans', 1e-6, new Rng(1));
    const w = [...s.values.entries()].find(([k]) => s.param(k).param.kind === 'signed')![1];
    const neg = Array.from(w).filter((v) => v < 0).length;
    expect(neg).toBeGreaterThan(0);
    expect(neg).toBeLessThan(8);
    expect(Number.isFinite(logPartition(s))).toBe(true);
    const g = lowered('square(mixture(weights = [1.0, -0.7]) { Normal(diag), Normal(diag) })', 2);
    initializeSquared(g, x, n, new Float64Array(n).fill(1), 'kmeans', 1e-6, new Rng(1));
    expect(Array.from([...g.values.entries()].find(([k]) => g.param(k).param.kind === 'signed')![1])).toEqual([1, -0.7]);
  });
});

function checkGradients(s: ModelState): void {
  const x = Float64Array.of(0.3, -0.2, -1.1, 0.9, 1.4, NaN, NaN, 0.4);
  const rw = Float64Array.of(1, 0.5, 2, 1.5);
  const { grads, logLik } = squaredGradients(s, x, 4, rw);
  const ll = (): number => squaredLogDensity(s, x, 4).reduce((a, v, i) => a + rw[i]! * v, 0);
  expect(logLik).toBeCloseTo(ll(), 10);
  for (const [name, vals] of s.values) {
    for (let k = 0; k < vals.length; k++) {
      const h = 1e-6;
      const old = vals[k]!;
      vals[k] = old + h;
      const up = ll();
      vals[k] = old - h;
      const dn = ll();
      vals[k] = old;
      expect(grads.get(name)![k]!, `${name}[${k}]`).toBeCloseTo((up - dn) / (2 * h), 5);
    }
  }
}

function ks(s: ModelState): void {
  const n = 10000;
  const xs = squaredSample(s, n, new Rng(42));
  const sorted = Float64Array.from(xs).sort();
  const F = squaredCdf(s, 0, sorted);
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(F[i]! - i / n), Math.abs(F[i]! - (i + 1) / n));
  const t = Math.sqrt(n) * d;
  let p = 0;
  for (let k = 1; k < 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * t * t);
  expect(p).toBeGreaterThan(0.01);
}
