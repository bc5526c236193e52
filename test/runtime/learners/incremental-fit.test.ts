// The incremental Gaussian mixture through `fit M on d by incremental(...)`: on seeded,
// well-separated mixtures (2-D and 8-D, K = 3..6) one pass finds K components and a mean
// log-likelihood within 0.01 nats of full EM's; streamed from its CSV in any chunk size it gives
// the in-memory fit exactly; the result is an ordinary mixture (artifact, load, queries); bad
// arguments, other leaves and incomplete rows are refused, naming the place.
import { describe, expect, it } from 'vitest';
import { load } from '../../../api/load.js';
import { serializeArtifact } from '../../../runtime/artifact.js';
import { logDensityRows } from '../../../runtime/evaluate.js';
import { compile } from '../../../compiler/compile.js';
import { Session, type FitSummary } from '../../../session/session.js';
import { Rng } from '../../../stdlib/random.js';
import { compileOk, sampleGmm, writeCsv } from '../../helpers/programs.js';
import { incrementalSteps } from '../../../runtime/learners/incremental-gmm/index.js';
import { memorySource } from '../../../runtime/learners/stream-em.js';
import { runToEnd } from '../../../runtime/learners/drive.js';
import type { IncrementalSettings } from '../../../compiler/program.js';

type Fit = Extract<Session['program']['steps'][number], { kind: 'fit' }>;

/** K means in [0, 30]^D at least 10 apart; covariances 1 + 0.3 k on the diagonal and 0.3 off it (sd <= 2.6); unequal weights. */
function separated(D: number, K: number, n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const means: number[][] = [];
  while (means.length < K) {
    const m = Array.from({ length: D }, () => rng.uniform() * 30);
    if (means.every((o) => Math.hypot(...o.map((v, i) => v - m[i]!)) > 10)) means.push(m);
  }
  const covs = Array.from({ length: K }, (_, k) => Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === b ? 1 + 0.3 * k : 0.3))));
  return sampleGmm(n, Array.from({ length: K }, (_, k) => (k + 1) / ((K * (K + 1)) / 2)), means, covs, seed);
}

function session(rows: number[][], models: string, fits: string): Session {
  const D = rows[0]!.length;
  const names = Array.from({ length: D }, (_, d) => `x${d}`);
  const path = writeCsv(names, rows);
  return new Session(compileOk(`data d from "${path}" { ${names.map((c) => `${c}: real`).join(', ')} }\n${models}\n${fits}`));
}

const fits = (s: Session): FitSummary[] => s.program.steps.filter((st): st is Fit => st.kind === 'fit').map((st) => s.fit(st));
const components = (s: Session, model: string): number => s.fitted.get(model)!.state.graph.nodes.find((n) => n.kind === 'input')!.units;

describe('incremental mixture: finds the components', () => {
  const CASES: [number, number, number][] = [
    [2, 3, 1],
    [2, 4, 2],
    [2, 5, 3],
    [2, 6, 4],
    [8, 3, 5],
    [8, 4, 6],
    [8, 5, 7],
    [8, 6, 8],
  ];
  it.each(CASES)('D = %i, K = %i (seed %i): K components, mean log-likelihood within 0.01 of full EM', (D, K, seed) => {
    const s = session(separated(D, K, 6000, seed), `model M = mixture(k = 12) of Normal(full)\nmodel E = mixture(k = ${K}) of Normal(full)`, `fit M on d by incremental()\nfit E on d by em(restarts = 3, seed = 1)`);
    const [inc, em] = fits(s);
    expect(components(s, 'M')).toBe(K);
    expect((inc as unknown as { incremental: { components: number } }).incremental.components).toBe(K);
    expect(Math.abs(inc!.mean_log_likelihood - em!.mean_log_likelihood)).toBeLessThan(0.01);
    expect(inc!.method).toBe('incremental');
    expect(inc!.iterations).toBe(1);
    // The summary's likelihood is that of the returned parameters (a pass of its own).
    const st = s.fitted.get('M')!;
    const data = s.dataset('d');
    const lp = logDensityRows(st.state, data.values, data.rows);
    expect(lp.reduce((a, b) => a + b, 0) / data.rows).toBeCloseTo(inc!.mean_log_likelihood, 10);
  }, 30_000);

  it('diagonal components on axis-aligned clusters', () => {
    const rows = sampleGmm(5000, [0.3, 0.3, 0.4], [[0, 0, 0], [12, 0, 5], [0, 12, -6]], [0, 1, 2].map((k) => [[1 + k, 0, 0], [0, 1, 0], [0, 0, 2 - 0.5 * k]]), 3);
    const s = session(rows, `model M = mixture(k = 10) of Normal(diag)\nmodel E = mixture(k = 3) of Normal(diag)`, `fit M on d by incremental()\nfit E on d by em(restarts = 3)`);
    const [inc, em] = fits(s);
    expect(components(s, 'M')).toBe(3);
    expect(Math.abs(inc!.mean_log_likelihood - em!.mean_log_likelihood)).toBeLessThan(0.01);
  });

  it('never exceeds max_k (the model k by default), and max_k overrides it', () => {
    const rows = separated(2, 5, 3000, 9);
    const s = session(rows, `model A = mixture(k = 2) of Normal(full)\nmodel B = mixture(k = 2) of Normal(full)`, `fit A on d by incremental()\nfit B on d by incremental(max_k = 8)`);
    fits(s);
    expect(components(s, 'A')).toBe(2);
    expect(components(s, 'B')).toBe(5);
  });

  it('creates nothing new at a novelty level so close to 1 that nothing is unlikely', () => {
    const s = session(separated(2, 3, 2000, 2), `model M = mixture(k = 10) of Normal(full)`, `fit M on d by incremental(novelty = 0.999999999999, scale = 5)`);
    fits(s);
    expect(components(s, 'M')).toBe(1);
  });
});

describe('incremental mixture: an ordinary mixture artifact', () => {
  it('saves, loads and answers queries like any mixture', () => {
    const s = session(separated(2, 3, 3000, 4), `model M = mixture(k = 8) of Normal(full)`, `fit M on d by incremental()`);
    fits(s);
    const text = serializeArtifact(s.artifact('M'));
    const m = load(text);
    const rows = [{ x0: 10, x1: 12 }, { x0: 3, x1: 25 }];
    const lp = m.logProb(rows);
    const st = s.fitted.get('M')!.state;
    const want = logDensityRows(st, Float64Array.from([10, 12, 3, 25]), 2);
    expect(lp[0]).toBeCloseTo(want[0]!, 10);
    expect(lp[1]).toBeCloseTo(want[1]!, 10);
    const post = m.posterior(rows);
    expect(post[0]!.length).toBe(3);
    expect(post[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(m.sample(5, { seed: 1 }).length).toBe(5);
    // The marginal of x0 integrates to one (trapezoid over a wide grid).
    const grid = Array.from({ length: 4001 }, (_, i) => -20 + (i * 70) / 4000);
    const marg = grid.map((x) => Math.exp((m.query(`logp(x0 = ${x})`) as { value: number }).value));
    const area = marg.reduce((a, v, i) => a + (i > 0 ? ((v + marg[i - 1]!) / 2) * (70 / 4000) : 0), 0);
    expect(area).toBeCloseTo(1, 4);
  });
});

describe('incremental mixture: streamed from its CSV', () => {
  it('gives the in-memory fit exactly, whatever the chunk size', () => {
    const rows = separated(3, 4, 4000, 12);
    const mem = session(rows, `model A = mixture(k = 8) of Normal(full)`, `fit A on d by incremental()`);
    const [a] = fits(mem);
    expect(mem.fitted.get('A')!.streamed).toBeUndefined();
    const pa = mem.fitted.get('A')!.state.toGraph().params;
    for (const chunk of [1, 37, 1000]) {
      const s = session(rows, `model A = mixture(k = 8) of Normal(full)`, `fit A on d by incremental(stream = true, chunk = ${chunk})`);
      const [b] = fits(s);
      expect(s.fitted.get('A')!.streamed?.rows).toBe(4000);
      expect(b!.mean_log_likelihood).toBeCloseTo(a!.mean_log_likelihood, 10);
      const pb = s.fitted.get('A')!.state.toGraph().params;
      for (const k of Object.keys(pa)) expect(pb[k]!.value).toEqual(pa[k]!.value);
    }
  });
});

describe('incremental mixture: sample weights', () => {
  // Pruning compares weighted counts with v_min, so doubling every weight is invariant only without it.
  it('all weights 2 give the fit of weights 1 (v_min = 0); a weight-0 row is as if absent', () => {
    const rows = separated(2, 3, 2500, 31);
    const s = session(rows, `model M = mixture(k = 8) of Normal(full)`, `fit M on d by incremental(v_min = 0)`);
    const vars = s.variables('M', 'd', undefined);
    const settings = (s.program.steps[0] as Fit).settings as IncrementalSettings;
    const n = rows.length;
    const x = Float64Array.from(rows.flat());
    const fit = (xs: Float64Array, w: Float64Array) => runToEnd(incrementalSteps(s.lower('M', vars), memorySource(xs, w.length, 2, w), settings));
    const one = fit(x, new Float64Array(n).fill(1));
    const two = fit(x, new Float64Array(n).fill(2));
    expect(two.state.toGraph().params).toEqual(one.state.toGraph().params);
    expect(two.totalWeight).toBe(2 * n);
    // Row 1500 with weight 0 against the data without it.
    const w0 = new Float64Array(n).fill(1);
    w0[1500] = 0;
    const dropped = Float64Array.from(rows.filter((_, i) => i !== 1500).flat());
    const a = fit(x, w0);
    const b = fit(dropped, new Float64Array(n - 1).fill(1));
    expect(a.state.toGraph().params).toEqual(b.state.toGraph().params);
  });
});

describe('incremental mixture: interrupted', () => {
  it('stops after the current chunk and keeps the mixture learnt so far', () => {
    const rows = separated(2, 3, 3000, 21);
    const s = session(rows, `model M = mixture(k = 8) of Normal(full)`, `fit M on d by incremental(chunk = 500)`);
    const vars = s.variables('M', 'd', undefined);
    const data = s.dataset('d');
    const x = Float64Array.from(rows.flat());
    const abort = new AbortController();
    const settings = (s.program.steps[0] as Fit).settings as IncrementalSettings;
    const steps = incrementalSteps(s.lower('M', vars), memorySource(x, data.rows, 2, new Float64Array(data.rows).fill(1)), settings, undefined, abort.signal);
    // Four chunks (2000 rows: the held-back 1000, then 1000 more), then the signal.
    for (let i = 0; i < 4; i++) expect(steps.next().done).toBe(false);
    abort.abort();
    let r = steps.next();
    while (!r.done) r = steps.next();
    const f = r.value;
    expect(f.result.stop).toBe('interrupted');
    expect(f.report.rows).toBe(2000);
    expect(f.state.graph.nodes.find((n) => n.kind === 'input')!.units).toBeGreaterThan(0);
    expect(Number.isFinite(f.result.meanLogLikelihood)).toBe(true);
  });
});

describe('incremental mixture: refusals', () => {
  const data = (path: string): string => `data d from "${path}" { x: real, y: real, c: int }`;
  const csv = (): string => writeCsv(['x', 'y', 'c'], [[1, 2, 3], [2, 1, 0], [NaN, 4, 1], [0, 0, 2]]);
  const compileErrors = (text: string): string[] => compile(text, 'm.pmix').diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);

  it.each([
    ['novelty = 1', /3:27 novelty must lie in \(0, 1\).*got 1/],
    ['novelty = 0', /novelty must lie in \(0, 1\).*got 0/],
    ['novelty = -0.5', /novelty must lie in \(0, 1\)/],
    ['max_k = 0', /3:27 max_k must be at least 1.*got 0/],
    ['max_k = 2.5', /max_k must be an integer/],
    ['scale = 0', /scale must be > 0/],
    ['drift = 0', /drift must be > 0/],
    ['k = 3', /incremental has no argument 'k'.*max_k/],
  ])('refuses %s, naming the argument', (arg, msg) => {
    const errs = compileErrors(`${data('x.csv')}\nmodel M(x, y) = mixture(k = 3) of Normal(full)\nfit M on d by incremental(${arg})`);
    expect(errs.length).toBe(1);
    expect(errs[0]).toMatch(msg);
  });

  it.each([
    ['mixture(k = 3) of Poisson', 'M(c)', /the Poisson leaf \(line 2, column 32\) is not a Gaussian/],
    ['mixture(k = 3) of Normal(spherical)', 'M(x, y)', /the Normal\(spherical\) leaf \(line 2, column 35\) has neither a full nor a diagonal covariance of its own/],
    ['mixture(k = 3) of product { x: Normal, y: Normal }', 'M(x, y)', /components \(line 2, column 35\) are product nodes/],
    ['Normal(full)', 'M(x, y)', /root \(line 2, column 17\) is not such a mixture/],
    ['mixture(k = 2) of Normal(mean = [0, 0] fixed, cov = [[1, 0], [0, 1]])', 'M(x, y)', /is fixed/],
  ])('refuses %s, naming the leaf and where it is written', (body, head, msg) => {
    const s = new Session(compileOk(`${data(csv())}\nmodel ${head} = ${body}\nfit M on d by incremental()`));
    let err: Error | undefined;
    try {
      fits(s);
    } catch (e) {
      err = e as Error;
    }
    const text = err && 'diagnostics' in err ? (err as { diagnostics: { message: string }[] }).diagnostics.map((d) => d.message).join('; ') : String(err?.message);
    expect(text).toMatch(msg);
    expect(text).toMatch(/incremental fits mixture\(k = K\) of Normal\(full\) or Normal\(diag\)/);
  });

  it('refuses a row with a missing cell, naming row and column', () => {
    const s = new Session(compileOk(`${data(csv())}\nmodel M(x, y) = mixture(k = 3) of Normal(full)\nfit M on d by incremental()`));
    expect(() => fits(s)).toThrow(/row 3, column 'x' is missing: the incremental mixture needs every cell/);
  });
});
