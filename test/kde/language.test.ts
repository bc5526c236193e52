// The kde family in the language: model text -> lowering -> fit -> queries through the Session,
// the CLI and the API; answers equal the numerical core called directly (and a direct sum
// written here); artifacts round-trip and a mutated one is refused naming the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile as apiCompile, load } from '../../api/index.js';
import { familyOf } from '../../families/index.js';
import { assignClusters, conditional, createKde, crossValidate, intervalProbability, logDensity, meanShift, moments, sample, type Kde } from '../../families/kde/index.js';
import { parseQuery, type QueryAst } from '../../language/index.js';
import type { QueryAnswer } from '../../runtime/queries/answer.js';
import { makeArtifact, serializeArtifact } from '../../runtime/artifact.js';
import { loadState } from '../../session/load-artifact.js';
import { bindTo } from '../../session/answer-query.js';
import type { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import type { FitProgress } from '../../runtime/learners/types.js';
import { compileOk, tempDir, writeCsv } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const csv = join(root, 'examples/data/faithful.csv');
const rows: number[][] = readFileSync(csv, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number));
const columns = [
  { name: 'eruptions', type: 'real' as const },
  { name: 'waiting', type: 'real' as const },
];

function session(model: string, fit = 'fit K on faithful'): Session {
  const text = `data faithful from "${csv}" { eruptions: real  waiting: real }\nmodel K = ${model}\n${fit}\n`;
  const s = new Session(compileOk(text));
  for (const st of s.program.steps) if (st.kind === 'fit') s.fit(st);
  return s;
}

function ask(s: Session, q: string): QueryAnswer {
  const { query, diagnostics } = parseQuery(q);
  if (!query) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return s.query('K', query);
}

const num = (a: QueryAnswer): number => (a.kind === 'density' ? a.value : NaN);

/** The gaussian KDE's log density at q by a direct sum written here: H = f^2 Cov, f = n^(-1/6) (Scott, d = 2). */
function scottLogDensity(q: readonly number[]): number {
  const n = rows.length;
  const m = [0, 1].map((j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const c = [
    [0, 0],
    [0, 0],
  ];
  for (const r of rows) for (const a of [0, 1]) for (const b of [0, 1]) c[a]![b]! += ((r[a]! - m[a]!) * (r[b]! - m[b]!)) / (n - 1);
  const f2 = n ** (-1 / 3);
  const [h11, h12, h22] = [f2 * c[0]![0]!, f2 * c[0]![1]!, f2 * c[1]![1]!];
  const det = h11 * h22 - h12 * h12;
  const terms = rows.map((r) => {
    const [dx, dy] = [q[0]! - r[0]!, q[1]! - r[1]!];
    return -0.5 * ((h22 * dx * dx - 2 * h12 * dx * dy + h11 * dy * dy) / det);
  });
  const mx = Math.max(...terms);
  return mx + Math.log(terms.reduce((s, t) => s + Math.exp(t - mx), 0)) - Math.log(n) - Math.log(2 * Math.PI) - 0.5 * Math.log(det);
}

describe('kde in the language (Session)', () => {
  const s = session('kde(kernel = gaussian, bandwidth = scott)');
  const core: Kde = createKde({ data: rows, columns, kernel: 'gaussian', bandwidth: 'scott' });

  it('logp equals the core and a direct sum written here', () => {
    const a = ask(s, 'logp(eruptions = 3.1, waiting = 70)');
    expect(num(a)).toBeCloseTo(logDensity(core, Float64Array.of(3.1, 70))[0]!, 12);
    expect(Math.abs(num(a) - scottLogDensity([3.1, 70]))).toBeLessThan(1e-10);
    // a marginal: the other variable's cell is marginalized
    expect(num(ask(s, 'logp(waiting = 70)'))).toBeCloseTo(logDensity(core, Float64Array.of(NaN, 70))[0]!, 12);
  });

  it('p(waiting | eruptions = 4.5): the conditional KDE’s mean and sd', () => {
    const a = ask(s, 'p(waiting | eruptions = 4.5)');
    const m = moments(conditional(core, new Map([[0, 4.5]])));
    expect(a.kind).toBe('distribution');
    if (a.kind !== 'distribution') return;
    expect(a.summary[0]!.mean).toBeCloseTo(m.mean[0]!, 10);
    expect(a.summary[0]!.sd).toBeCloseTo(Math.sqrt(m.variance[0]!), 10);
  });

  it('interval probabilities: closed form, equal to the core, and a conditional one', () => {
    expect(num(ask(s, 'p(eruptions in [1, 3])'))).toBeCloseTo(intervalProbability(core, [1, NaN], [3, NaN]), 12);
    const c = conditional(core, new Map([[1, 50]]));
    expect(num(ask(s, 'p(eruptions in [1, 3] | waiting = 50)'))).toBeCloseTo(intervalProbability(c, [1], [3]), 12);
    // a value and an interval: p(eruptions = 2) P(waiting in [40, 60] | eruptions = 2)
    const joint = Math.exp(logDensity(core, Float64Array.of(2, NaN))[0]!) * intervalProbability(conditional(core, new Map([[0, 2]])), [40], [60]);
    expect(num(ask(s, 'p(eruptions = 2, waiting in [40, 60])'))).toBeCloseTo(joint, 12);
  });

  it('independently: the interval probability is the integral of the marginal density, and a conditional integrates to 1', () => {
    // Simpson's rule on the density the family gives for rows with waiting missing (marginalized)
    const simpson = (f: (t: number) => number, a: number, b: number, m = 400): number => {
      const h = (b - a) / m;
      let acc = f(a) + f(b);
      for (let i = 1; i < m; i++) acc += (i % 2 ? 4 : 2) * f(a + i * h);
      return (acc * h) / 3;
    };
    const st = s.fitted.get('K')!.state;
    const marginalDensity = (t: number): number => Math.exp(familyOf(st.graph).logDensityRows(st, Float64Array.of(t, NaN), 1)[0]!);
    expect(Math.abs(simpson(marginalDensity, 1, 3) - num(ask(s, 'p(eruptions in [1, 3])')))).toBeLessThan(1e-8);
    const cond = (t: number): number => num(ask(s, `p(waiting = ${t} | eruptions = 4.5)`));
    expect(Math.abs(simpson(cond, 20, 140, 240) - 1)).toBeLessThan(1e-6);
  });

  it('mean, sample and mode', () => {
    const a = ask(s, 'mean()');
    const m = moments(core);
    expect(a.kind === 'mean' && a.summary.map((x) => x.mean)).toEqual([m.mean[0], m.mean[1]]);
    const smp = ask(s, 'sample(50, seed = 3)');
    const direct = sample(core, 50, 3);
    expect(smp.kind === 'sample' && smp.rows.flat()).toEqual(Array.from(direct));
    const mode = ask(s, 'mode()');
    const ms = meanShift(core, { starts: 'data', seed: 1 });
    expect(mode.kind === 'mode' && [mode.point.eruptions, mode.point.waiting]).toEqual(Array.from(ms.modes[0]!.point));
  });

  it('modes(): every mode with its mass (two for Old Faithful), as the core finds them', () => {
    const a = ask(s, 'modes()');
    const ms = meanShift(core, { starts: 'data', seed: 1, tol: 1e-6, mergeTol: 0.1, maxIter: 500 });
    expect(a.kind).toBe('sample');
    if (a.kind !== 'sample') return;
    expect(a.columns).toEqual(['eruptions', 'waiting', 'mass', 'log_density']);
    expect(a.rows).toEqual(ms.modes.map((m) => [m.point[0], m.point[1], m.mass, m.logDensity]));
    expect(a.rows.length).toBe(2);
    expect((a.rows[0]![2] as number) + (a.rows[1]![2] as number)).toBeCloseTo(1, 12);
    // the long eruptions (about 4.3 min after about 80 min) hold the larger mass
    expect(a.rows[0]![0]).toBeGreaterThan(4);
    expect(a.rows[0]![2]).toBeGreaterThan(0.5);
  });

  it('clusters(...): the mode each point climbs to, numbered as modes() lists them', () => {
    const a = ask(s, 'clusters(eruptions = [2, 4.5, 3.5], waiting = [55, 80, 70])');
    const ms = meanShift(core, { starts: 'data', seed: 1 });
    const direct = assignClusters(core, ms, Float64Array.of(2, 55, 4.5, 80, 3.5, 70));
    expect(a.kind === 'sample' && a.rows.map((r) => r[2])).toEqual(Array.from(direct, (c) => c + 1));
    expect(a.kind === 'sample' && a.rows.map((r) => r[2]).slice(0, 2)).toEqual([2, 1]);
    expect(() => ask(s, 'clusters(eruptions = 2)')).toThrow(/missing waiting/);
    expect(() => ask(s, 'modes(bogus = 1)')).toThrow(/modes\(\.\.\.\) has no argument 'bogus'/);
  });

  it('the fit summary: h, the stop, free parameters; the family refuses optimizers with a hint', () => {
    const f = s.fitted.get('K')!.summary as unknown as Record<string, unknown> & { kde: { h: number[]; points: number } };
    expect(f.kde.points).toBe(272);
    expect(f.kde.h[0]).toBeCloseTo(Math.sqrt(core.H[0]!), 12);
    expect(f.stop).toBe('nothing_to_fit');
    expect(f.parameters).toBe(1);
    // the in-sample mean log-likelihood is the core's mean log density of the rows
    const lp = logDensity(core, Float64Array.from(rows.flat()));
    expect(f.mean_log_likelihood).toBeCloseTo(lp.reduce((a, b) => a + b, 0) / lp.length, 10);
    expect(() => session('kde()', 'fit K on faithful by adam')).toThrow(/kernel density estimate: its fit stores the data.*runs no adam/);
  });

  it('cv(grid = ...): picks the core’s best grid value, with progress per value and the scores in the summary', () => {
    const seen: FitProgress[] = [];
    const text = `data faithful from "${csv}" { eruptions: real  waiting: real }\nmodel K = kde(bandwidth = cv(grid = [0.2, 0.4, 0.8, 1.6], folds = 4, scale = whitened))\nfit K on faithful\n`;
    const sc = new Session(compileOk(text));
    const summary = sc.fit(sc.program.steps[0] as never, (p) => seen.push(p)) as unknown as { kde: { cv: { value: number; mean_heldout_log_likelihood: number }[] }; stop: string };
    const direct = crossValidate({ data: rows, columns }, { grid: [0.2, 0.4, 0.8, 1.6], folds: 4, scale: 'whitened', seed: 1 });
    expect(summary.kde.cv.map((c) => c.mean_heldout_log_likelihood)).toEqual(direct.scores.map((c) => c.score));
    expect(seen.map((p) => p.iteration)).toEqual([1, 2, 3, 4]);
    expect(summary.stop).toBe('converged');
    const st = sc.fitted.get('K')!.state;
    expect(Array.from(familyOf(st.graph).logDensityRows(st, Float64Array.of(3, 70), 1))[0]).toBeCloseTo(logDensity(direct.kde, Float64Array.of(3, 70))[0]!, 12);
  });

  it('weights, a written bandwidth vector, a subsample above max_points, and the tree path within rtol', () => {
    const dir = tempDir();
    const data = rows.map((r, i) => [r[0]!, r[1]!, 1 + (i % 3)]);
    const path = writeCsv(['eruptions', 'waiting', 'w'], data, dir);
    const text = `data d from "${path}" { eruptions: real  waiting: real  w: real }\nmodel K(eruptions, waiting) = kde(kernel = epanechnikov, form = "product", bandwidth = [0.4, 6])\nfit K on d weights w\n`;
    const sw = new Session(compileOk(text));
    sw.fit(sw.program.steps[0] as never);
    const direct = createKde({ data: rows, columns, kernel: 'epanechnikov', form: 'product', bandwidth: [0.4, 6], weights: data.map((r) => r[2]!) });
    expect(num(ask(sw, 'logp(eruptions = 2.1, waiting = 60)'))).toBeCloseTo(logDensity(direct, Float64Array.of(2.1, 60))[0]!, 12);
    expect(sw.fitted.get('K')!.summary.parameters).toBe(0);

    const sub = session('kde(max_points = 50, seed = 7)');
    const g = sub.fitted.get('K')!.state.graph;
    expect(g.params['kde.points']!.shape).toEqual([50, 2]);
    expect((sub.fitted.get('K')!.summary as unknown as { kde: { notes: string[] } }).kde.notes[0]).toMatch(/subsample of 50 of the 272 rows/);

    const tree = session('kde(tree_above = 0, rtol = 1e-6)');
    const st = tree.fitted.get('K')!.state;
    const q = Float64Array.from(rows.slice(0, 40).flat());
    const fast = familyOf(st.graph).logDensityRows(st, q, 40);
    const exact = logDensity(createKde({ data: rows, columns }), q);
    fast.forEach((v, i) => expect(Math.abs(Math.exp(v - exact[i]!) - 1)).toBeLessThanOrEqual(1e-6));
  });

  it('above 10,000 stored rows the in-sample log-likelihood is estimated on a seeded sample (noted), close to the exact one', () => {
    const big = Array.from({ length: 12_000 }, (_, i) => [Math.sin(i * 12.9898) * 3 + (i % 2 ? 4 : 0), Math.cos(i * 78.233) * 2]);
    const path = writeCsv(['a', 'b'], big);
    const sb = new Session(compileOk(`data d from "${path}" { a: real  b: real }\nmodel K = kde(bandwidth = 0.3)\nfit K on d\n`));
    const summary = sb.fit(sb.program.steps[0] as never) as unknown as { mean_log_likelihood: number; kde: { notes: string[] } };
    expect(summary.kde.notes.join()).toMatch(/estimated on a seeded sample of 10000 of the 12000 stored rows/);
    const exact = logDensity(createKde({ data: big, bandwidth: 0.3 }), Float64Array.from(big.flat()));
    expect(Math.abs(summary.mean_log_likelihood - exact.reduce((x, y) => x + y, 0) / exact.length)).toBeLessThan(0.02);
  });

  it('model text errors are diagnostics on their spans (did-you-mean for kernels and rules)', () => {
    const text = `data faithful from "${csv}" { eruptions: real  waiting: real }\nmodel K = kde(kernel = gausian, bandwidth = -1)\nmodel L = kde(bandwidth = scot, kernal = tophat)\nfit K on faithful\nfit L on faithful\n`;
    const s2 = new Session(compileOk(text));
    const d = s2.check();
    const at = (m: RegExp): string | undefined => {
      const x = d.find((y) => m.test(y.message));
      return x && `${x.span?.startLine}:${x.span?.startColumn} ${x.hint ?? ''}`;
    };
    expect(at(/unknown kernel 'gausian'/)).toBe("2:24 did you mean 'gaussian'?");
    expect(at(/bandwidth = -1/)).toBe('2:45 ');
    expect(at(/unknown bandwidth rule 'scot'/)).toBe("3:27 did you mean 'scott'?");
    expect(at(/kde has no argument 'kernal'/)).toBe("3:33 did you mean 'kernel'?");
  });
});

/** faithful with a weight column w (1, 2, 3, 1, ...). */
const weighted = (): string => writeCsv(['eruptions', 'waiting', 'w'], rows.map((r, i) => [r[0]!, r[1]!, 1 + (i % 3)]));

describe('kde artifacts', () => {
  const s = new Session(compileOk(`data d from "${weighted()}" { eruptions: real  waiting: real  w: real }\nmodel K(eruptions, waiting) = kde(kernel = gaussian, bandwidth = silverman)\nfit K on d weights w\n`));
  s.fit(s.program.steps[0] as never);
  const text = serializeArtifact(s.artifact('K'));

  it('round-trip: the loaded model answers as the fitted one', () => {
    const { state } = loadState(text);
    for (const q of ['logp(eruptions = 3.1, waiting = 70)', 'p(eruptions in [1, 3])', 'p(waiting | eruptions = 2)', 'modes()', 'sample(5, seed = 2)']) {
      const { query } = parseQuery(q);
      expect(familyOf(state.graph).answer(state, bindOf(state, query!) as never)).toEqual(ask(s, q));
    }
  });

  it('a mutated artifact is refused naming the field', () => {
    const mutate = (f: (a: { ir: { nodes: { options: Record<string, unknown> }[]; params: Record<string, { value: number[]; shape: number[] }> } }) => void): string => {
      const a = JSON.parse(text);
      f(a);
      return JSON.stringify(a);
    };
    const refused = (t: string): string => {
      try {
        loadState(t);
        return 'loaded';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(refused(mutate((a) => (a.ir.nodes[0]!.options.kernel = 'gausian')))).toMatch(/ir\.nodes\[0\]\.options\.kernel: unknown kernel 'gausian'/);
    expect(refused(mutate((a) => (a.ir.params['kde.bandwidth']!.value = [1, 2, 2, 1])))).toMatch(/ir\.params\['kde\.bandwidth'\]\.value: the bandwidth matrix is not positive definite/);
    expect(refused(mutate((a) => (a.ir.params['kde.bandwidth']!.value = [1, 0.5, 0.2, 1])))).toMatch(/ir\.params\['kde\.bandwidth'\]\.value: not symmetric/);
    expect(refused(mutate((a) => (a.ir.params['kde.points']!.shape = [271, 2])))).toMatch(/ir\.params\['kde\.points'\]/);
    expect(refused(mutate((a) => (a.ir.params['kde.weights']!.value[3] = -0.01)))).toMatch(/ir\.params\['kde\.weights'\]\.value\[3\]: -0\.01/);
    expect(refused(mutate((a) => (a.ir.nodes[0]!.options.form = 'square')))).toMatch(/ir\.nodes\[0\]\.options\.form/);
  });

  it('an unfitted KDE says it needs a fit', () => {
    const u = new Session(compileOk('model K(x, y) = kde()'));
    const graph = u.stateOf('K').graph;
    const art = serializeArtifact(makeArtifact('K', graph, {}));
    const { state } = loadState(art);
    const { query } = parseQuery('logp(x = 1, y = 2)');
    expect(() => familyOf(state.graph).answer(state, bindOf(state, query!) as never)).toThrow(/not fitted yet/);
  });
});

describe('kde through the API', () => {
  it('compile(...).model(K): fit on rows, logProb, query, save and load', async () => {
    const m = apiCompile('model K = kde(bandwidth = scott)').model('K');
    const summary = await m.fit(rows.map(([eruptions, waiting]) => ({ eruptions: eruptions!, waiting: waiting! })));
    expect(summary.rows).toBe(272);
    const core = createKde({ data: rows, columns, bandwidth: 'scott' });
    const lp = m.logProb([{ eruptions: 3.1, waiting: 70 }, { waiting: 70 }]);
    expect(lp[0]).toBeCloseTo(logDensity(core, Float64Array.of(3.1, 70))[0]!, 12);
    expect(lp[1]).toBeCloseTo(logDensity(core, Float64Array.of(NaN, 70))[0]!, 12);
    const a = m.query('modes()');
    expect(a.kind === 'sample' && a.rows.length).toBe(2);
    expect(load(m.save()).query('logp(eruptions = 3.1, waiting = 70)')).toEqual(m.query('logp(eruptions = 3.1, waiting = 70)'));
  });
});

/** Binds a parsed query to a loaded state (what session/answer-query does), for answering directly. */
function bindOf(state: ModelState, q: QueryAst): unknown {
  const { query, diagnostics } = bindTo(state.graph, q, { file: '<query>' });
  if (!query) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return query;
}

describe('kde through the browser entry', () => {
  it('runs examples/faithful.pmix on CSV text as the Node entry runs it on the file, and loads its artifact', async () => {
    const { compile: compileBrowser, load: loadBrowser } = await import('../../api/browser.js');
    const source = readFileSync(join(root, 'examples/faithful.pmix'), 'utf8');
    const viaText = compileBrowser(source, { data: { faithful: readFileSync(csv, 'utf8') } }).run();
    const viaFile = apiCompile(source, { file: join(root, 'examples/faithful.pmix') }).run();
    expect(viaText.fits[0]!.mean_log_likelihood).toBe(viaFile.fits[0]!.mean_log_likelihood);
    expect(viaText.queries.map((q) => q.answer)).toEqual(viaFile.queries.map((q) => q.answer));
    const program = apiCompile(source, { file: join(root, 'examples/faithful.pmix') });
    program.run();
    const saved = program.model('K').save();
    expect(loadBrowser(saved).query('modes()')).toEqual(viaFile.queries.find((q) => q.query === 'modes()')!.answer);
  });
});
