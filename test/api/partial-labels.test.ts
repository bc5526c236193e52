// Partial labels (issue 16): em(labels = column) clamps each labelled row to its class's
// components; unlabelled rows are soft-assigned; components beyond the known classes find new
// ones. Checked against closed forms (every row labelled: the per-class MLE), the clamp's
// responsibilities directly, EM's monotone objective, the weights = duplicated rows identity,
// and on the penguins (accuracy on the unlabelled rows against unsupervised EM's best matching).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { lowerModel } from '../../compiler/lower.js';
import { compile as compileText } from '../../compiler/compile.js';
import type { IRVariable } from '../../ir/types.js';
import { backward, forward } from '../../runtime/evaluate.js';
import { runToEnd } from '../../runtime/learners/drive.js';
import { emSteps } from '../../runtime/learners/em.js';
import { LabelClamp, type PartialLabels } from '../../runtime/learners/labels.js';
import { ModelState } from '../../runtime/state.js';
import { EM_DEFAULTS } from '../../compiler/fit-settings.js';
import { Rng } from '../../stdlib/random.js';

const root = new URL('../../', import.meta.url).pathname;

function penguins(): { species: string; x: Record<string, number | null> }[] {
  const lines = readFileSync(join(root, 'examples/data/penguins.csv'), 'utf8').trim().split('\n');
  const num = (s: string): number | null => (s === '' || s === 'NA' ? null : Number(s));
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return { species: c[0]!, x: { bill_length_mm: num(c[2]!), bill_depth_mm: num(c[3]!), flipper_length_mm: num(c[4]!), body_mass_g: num(c[5]!) } };
  });
}

/** A seeded 10% of the rows. */
function tenPercent(n: number, seed: number): boolean[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.uniform() < 0.1);
}

const argmax = (p: readonly number[]): number => p.indexOf(Math.max(...p));
const PERMS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** Semi-supervised accuracy on the unlabelled rows, and unsupervised EM's under its best matching of clusters to species. */
async function penguinAccuracy(variant: string, seed: number): Promise<{ semi: number; unsupervised: number }> {
  const data = penguins();
  const levels = [...new Set(data.map((d) => d.species))].sort();
  const lab = tenPercent(data.length, seed);
  const X = data.map((d) => d.x);
  const src = `model M = mixture(k = 3) of Normal(${variant})`;
  const opts = { method: 'em' as const, restarts: 5, tol: 1e-6, maxIter: 500, seed: 1 };
  const semi = compile(src).model('M');
  await semi.fit(data.map((d, i) => ({ ...d.x, species: lab[i] ? d.species : null })), { ...opts, labels: 'species' });
  const unsup = compile(src).model('M');
  await unsup.fit(X, opts);
  const ps = semi.posterior(X);
  const pu = unsup.posterior(X);
  let ok = 0;
  let total = 0;
  data.forEach((d, i) => {
    if (lab[i]) return;
    total++;
    if (levels[argmax(ps[i]!)] === d.species) ok++;
  });
  let best = 0;
  for (const perm of PERMS) {
    let c = 0;
    data.forEach((d, i) => {
      if (!lab[i] && levels[perm[argmax(pu[i]!)]!] === d.species) c++;
    });
    best = Math.max(best, c);
  }
  return { semi: ok / total, unsupervised: best / total };
}

function threeClasses(n: number, seed: number): { x: number; y: number; cls: string }[] {
  const rng = new Rng(seed);
  const centres = [
    [0, 0],
    [2, 1],
    [1, 3],
  ];
  return Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    return { x: centres[c]![0]! + rng.normal(), y: centres[c]![1]! + 0.7 * rng.normal(), cls: ['a', 'b', 'c'][c]! };
  });
}

describe('partial labels: closed forms and the clamp', () => {
  it('every row labelled: the fit is the per-class maximum likelihood (fractions, means, covariances)', async () => {
    const rows = threeClasses(300, 1).map((r, i) => ({ ...r, cls: i % 7 === 0 ? 'c' : r.cls }));
    const m = compile('model M(x, y) = mixture(k = 3) of Normal(full)').model('M');
    const s = await m.fit(rows, { method: 'em', labels: 'cls', tol: 1e-10 });
    expect(s.iterations).toBeLessThanOrEqual(3);
    const a = m.query('p(x, y)');
    if (a.kind !== 'distribution') throw new Error('expected a distribution');
    ['a', 'b', 'c'].forEach((cls, k) => {
      const mine = rows.filter((r) => r.cls === cls);
      const mx = mine.reduce((t, r) => t + r.x, 0) / mine.length;
      const my = mine.reduce((t, r) => t + r.y, 0) / mine.length;
      const vx = mine.reduce((t, r) => t + (r.x - mx) ** 2, 0) / mine.length;
      const comp = a.components![k]!;
      expect(comp.weight).toBeCloseTo(mine.length / rows.length, 12);
      expect(comp.mean[0]!).toBeCloseTo(mx, 10);
      expect(comp.mean[1]!).toBeCloseTo(my, 10);
      expect(comp.sd[0]! ** 2).toBeCloseTo(vx, 5);
    });
    // The label column is not a model variable.
    expect(m.variables.map((v) => v.name)).toEqual(['x', 'y']);
  });

  it("labelled rows' responsibilities are exactly their class's components; EM's objective never drops", () => {
    const rows = threeClasses(240, 2);
    const vars: IRVariable[] = [
      { name: 'x', type: { kind: 'real' } },
      { name: 'y', type: { kind: 'real' } },
    ];
    const { program } = compileText('model M(x, y) = mixture(k = 4) of Normal(full)', 'm.pmix');
    const { graph } = lowerModel(program!, 'M', vars);
    const x = Float64Array.from(rows.flatMap((r) => [r.x, r.y]));
    const w = new Float64Array(rows.length).fill(1);
    // Classes a and b known (one component each with per_class 1... here 2 for a: components 0, 1), c never labelled.
    const classes = Int32Array.from(rows, (r, i) => (r.cls === 'c' || i % 3 === 0 ? -1 : r.cls === 'a' ? 0 : 1));
    const labels: PartialLabels = { classes, known: 2, perClass: 2, column: 'cls', levels: ['a', 'b'] };
    const fitted = runToEnd(emSteps(new ModelState(graph!), x, rows.length, w, { ...EM_DEFAULTS, tol: 1e-9, maxIter: 300, restarts: 2 }, undefined, undefined, labels));
    const trace = fitted.result.trace;
    for (let i = 1; i < trace.length; i++) expect(trace[i]!).toBeGreaterThanOrEqual(trace[i - 1]! - 1e-9);
    // The clamp at the fitted parameters: forward, clamp, backward; flows into the components.
    const state = fitted.state;
    const vals = forward(state, x, rows.length);
    new LabelClamp(state, labels).apply(state, vals, rows.length);
    const flows = backward(state, vals, rows.length, w);
    const child = (state.node(state.graph.root) as { children: string[] }).children[0]!;
    const f = flows.get(child)!;
    rows.forEach((_, i) => {
      const c = classes[i]!;
      const r = [0, 1, 2, 3].map((a) => f[i * 4 + a]!);
      expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      if (c < 0) return;
      for (let a = 0; a < 4; a++) if (Math.floor(a / 2) !== c) expect(r[a]).toBe(0);
    });
  });

  it('a sample weight of 2 equals the row written twice, with labels', async () => {
    const rows = threeClasses(90, 3).map((r, i) => ({ ...r, cls: i % 4 === 0 ? r.cls : null }));
    const src = 'model M(x, y) = mixture(k = 3) of Normal(full)';
    const weighted = compile(src).model('M');
    await weighted.fit(rows.map((r, i) => ({ ...r, w: i < 30 ? 2 : 1 })), { method: 'em', labels: 'cls', weights: 'w', tol: 1e-12, maxIter: 1000 });
    const doubled = compile(src).model('M');
    await doubled.fit([...rows, ...rows.slice(0, 30)], { method: 'em', labels: 'cls', tol: 1e-12, maxIter: 1000 });
    const probe = [{ x: 0.5, y: 0.5 }, { x: 2, y: 3 }];
    Array.from(weighted.logProb(probe)).forEach((v, i) => expect(v).toBeCloseTo(doubled.logProb(probe)[i]!, 6));
  });
});

describe('partial labels on the penguins', () => {
  it('10% of the species known: diagonal Normals beat unsupervised EM by far; full covariances at least tie', async () => {
    const diag = await penguinAccuracy('diag', 1);
    expect(diag.semi).toBeGreaterThan(diag.unsupervised + 0.1);
    const full = await penguinAccuracy('full', 1);
    expect(full.semi).toBeGreaterThanOrEqual(full.unsupervised);
    expect(full.semi).toBeGreaterThan(0.97);
  }, 60_000);

  it('a species never labelled is found by the free component (category discovery)', async () => {
    const data = penguins();
    const lab = tenPercent(data.length, 1).map((l, i) => l && data[i]!.species !== 'Chinstrap');
    const m = compile('model M = mixture(k = 3) of Normal(full)').model('M');
    await m.fit(data.map((d, i) => ({ ...d.x, species: lab[i] ? d.species : null })), { method: 'em', labels: 'species', restarts: 5, tol: 1e-6, maxIter: 500, seed: 1 });
    const post = m.posterior(data.map((d) => d.x));
    const chin = data.map((d, i) => [d, i] as const).filter(([d]) => d.species === 'Chinstrap');
    const found = chin.filter(([, i]) => argmax(post[i]!) === 2).length / chin.length;
    expect(found).toBeGreaterThan(0.9);
  }, 60_000);

  it('a .pmix fit statement takes labels = species from a declared categorical column', () => {
    const csv = readFileSync(join(root, 'examples/data/penguins.csv'), 'utf8');
    const p = compile(
      'data penguins from "penguins.csv" { species: categorical, bill_length_mm: real, bill_depth_mm: real, flipper_length_mm: real, body_mass_g: real }\n' +
        'model P = mixture(k = 3) of Normal(full)\nfit P on penguins by em(labels = species, seed = 1)\nquery P: posterior(bill_length_mm = 47.5, bill_depth_mm = 15.0, flipper_length_mm = 217, body_mass_g = 5100)',
      { data: { penguins: csv } },
    );
    const out = p.run();
    expect(out.fits[0]!.converged).toBe(true);
    const a = out.queries[0]!.answer;
    if (a.kind !== 'posterior') throw new Error('expected a posterior');
    // Every row labelled: component 3 is Gentoo (levels sorted: Adelie, Chinstrap, Gentoo).
    expect(a.best).toBe(2);
  });
});

describe('partial labels: what they refuse', () => {
  const rows = threeClasses(60, 4);
  it('too few components for the classes, a numeric label column, a method other than EM', async () => {
    await expect(compile('model M(x, y) = mixture(k = 2) of Normal').model('M').fit(rows, { method: 'em', labels: 'cls' })).rejects.toThrow(/3 classes \(a, b, c\): the mixture needs at least 3 components, it has k = 2/);
    await expect(compile('model M(x, y) = mixture(k = 3) of Normal').model('M').fit(rows.map((r, i) => ({ ...r, n: i % 3 })), { method: 'em', labels: 'n' })).rejects.toThrow(/must be categorical/);
    await expect(compile('model M(x, y) = mixture(k = 3) of Normal').model('M').fit(rows, { method: 'adam', labels: 'cls' } as never)).rejects.toThrow(/partial labels are fitted by full-batch EM|labels/);
  });
});
