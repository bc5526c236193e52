// chow_liu over bool, int 0/1 and categorical columns: the fit equals the reference Chow-Liu
// tree (also with missing cells and with row weights), the circuit is a normalized,
// deterministic density whose marginals, MAP states, samples and means agree with brute-force
// enumeration of all 2^9 x 3 states; bad models get clear diagnostics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chowLiuParents } from '../../circuits/chow-liu/index.js';
import { deterministic } from '../../circuits/properties.js';
import { compile } from '../../compiler/compile.js';
import { selectColumns } from '../../runtime/data/dataset.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import type { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { loadState } from '../../session/load-artifact.js';
import { makeArtifact, serializeArtifact } from '../../runtime/artifact.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, tempDir } from '../helpers/programs.js';
import { ask } from '../circuits/queries/ask.js';
import { edgeSet, referenceChowLiu, referenceLogLikelihood } from './reference.js';

const NAMES = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'i0', 'c'];
const LEVELS = [2, 2, 2, 2, 2, 2, 2, 2, 2, 3];
const CAT = ['x', 'y', 'z'];
const HEADER = `{ ${NAMES.slice(0, 8).map((n) => `${n}: bool`).join(', ')}, i0: int, c: categorical("x", "y", "z") }`;

/** Rows from a random tree-shaped network (each variable depends on an earlier one), some cells missing. */
function generate(n: number, seed: number, missing: number): number[][] {
  const rng = new Rng(seed);
  const parent = LEVELS.map((_, j) => (j === 0 ? -1 : rng.int(j)));
  const tables = LEVELS.map((L, j) => Array.from({ length: j === 0 ? 1 : LEVELS[parent[j]!]! }, () => {
    const w = Array.from({ length: L }, () => 0.05 + rng.uniform() ** 2);
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  }));
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r: number[] = [];
    for (let j = 0; j < LEVELS.length; j++) r.push(rng.categorical(tables[j]![j === 0 ? 0 : r[parent[j]!]!]!));
    rows.push(r.map((v) => (rng.uniform() < missing ? NaN : v)));
  }
  return rows;
}

function csv(rows: number[][], weights?: number[], extra = 'w'): string {
  const dir = tempDir();
  const lines = [[...NAMES, ...(weights ? [extra] : [])].join(',')];
  rows.forEach((r, i) => lines.push([...r.map((v, j) => (Number.isNaN(v) ? '' : j === 9 ? CAT[v] : String(v))), ...(weights ? [String(weights[i])] : [])].join(',')));
  const path = join(dir, 'd.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function fitted(path: string, alpha: number, weights = false): { s: Session; state: ModelState } {
  const p = compileOk(`data d from "${path}" ${weights ? HEADER.replace(' }', ', w: real }') : HEADER}\nmodel T(${NAMES.join(', ')}) = chow_liu(alpha = ${alpha})\nfit T on d ${weights ? 'weights w ' : ''}by em`);
  const s = new Session(p);
  s.fit(p.steps.find((st) => st.kind === 'fit')!);
  return { s, state: s.fitted.get('T')!.state };
}

/** Every complete state (the categorical last), as rows. */
function allStates(): number[][] {
  const out: number[][] = [];
  const total = LEVELS.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    let r = k;
    out.push(LEVELS.map((L) => {
      const v = r % L;
      r = Math.floor(r / L);
      return v;
    }));
  }
  return out;
}

const logp = (state: ModelState, rows: number[][]): Float64Array => logDensityRows(state, Float64Array.from(rows.flat()), rows.length);

describe('chow_liu: the fit', () => {
  it('equals the reference tree and tables, with missing cells and on categorical columns', () => {
    for (const [missing, alpha] of [[0, 0.5], [0.08, 1], [0.08, 0]] as const) {
      const rows = generate(300, 7, missing);
      const { state } = fitted(csv(rows), alpha);
      const ref = referenceChowLiu(rows, LEVELS, alpha);
      expect(edgeSet(chowLiuParents(state.graph))).toEqual(edgeSet(ref.parent));
      const probe = generate(50, 99, 0);
      const got = logp(state, probe);
      probe.forEach((r, i) => expect(got[i]).toBeCloseTo(referenceLogLikelihood(ref, r), 10));
    }
  });

  it('integer row weights equal repeated rows', () => {
    const rows = generate(120, 3, 0.05);
    const w = rows.map((_, i) => 1 + (i % 3));
    const a = fitted(csv(rows, w), 0.3, true).state;
    const b = fitted(csv(rows.flatMap((r, i) => Array.from({ length: w[i]! }, () => r))), 0.3).state;
    const probe = generate(30, 5, 0);
    const la = logp(a, probe);
    const lb = logp(b, probe);
    probe.forEach((_, i) => expect(la[i]).toBeCloseTo(lb[i]!, 10));
  });
});

describe('chow_liu: queries against enumeration', () => {
  const { state } = fitted(csv(generate(400, 11, 0.03)), 0.5);
  const states = allStates();
  const lp = logp(state, states);
  const p = Array.from(lp, Math.exp);

  it('is a deterministic circuit and a normalized density; missing cells are marginalized', () => {
    expect(deterministic(state.graph)).toEqual([]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const partial = [1, NaN, 0, NaN, NaN, 1, NaN, 0, NaN, 2];
    const want = states.reduce((acc, r, k) => (r.every((v, j) => Number.isNaN(partial[j]!) || v === partial[j]) ? acc + p[k]! : acc), 0);
    expect(logp(state, [partial])[0]).toBeCloseTo(Math.log(want), 12);
  });

  it('mode() is the brute-force MAP, with and without evidence, and says it is exact', () => {
    const best = (keep: (r: number[]) => boolean): { k: number; p: number; total: number } => {
      let k = -1;
      let total = 0;
      states.forEach((r, i) => {
        if (!keep(r)) return;
        total += p[i]!;
        if (k < 0 || p[i]! > p[k]!) k = i;
      });
      return { k, p: p[k]!, total };
    };
    const free = best(() => true);
    const m = ask(state, 'mode()');
    expect(m.kind).toBe('mode');
    if (m.kind !== 'mode') return;
    expect(m.exact).toBe(true);
    expect(NAMES.map((n, j) => cell(m.point[n], j))).toEqual(states[free.k]);
    expect(m.logDensity).toBeCloseTo(Math.log(free.p), 10);
    const given = best((r) => r[3] === 1 && r[9] === 2);
    const mc = ask(state, 'mode(| a3 = true, c = "z")');
    if (mc.kind !== 'mode') throw new Error(mc.kind);
    // The answer gives the free variables; the evidence is as given.
    expect(NAMES.map((n, j) => (j === 3 ? 1 : j === 9 ? 2 : cell(mc.point[n], j)))).toEqual(states[given.k]);
    expect(Object.keys(mc.point).sort()).toEqual(NAMES.filter((n) => n !== 'a3' && n !== 'c').sort());
    expect(mc.logDensity).toBeCloseTo(Math.log(given.p / given.total), 10);
  });

  it('marginals, conditionals and means are the enumerated sums', () => {
    const sum = (f: (r: number[]) => boolean): number => states.reduce((acc, r, k) => (f(r) ? acc + p[k]! : acc), 0);
    const a = ask(state, 'p(c = "y", a1 = false)');
    if (a.kind !== 'density') throw new Error(a.kind);
    expect(a.value).toBeCloseTo(sum((r) => r[9] === 1 && r[1] === 0), 12);
    const b = ask(state, 'p(a4 = true | i0 = 1, c = "x")');
    if (b.kind !== 'density') throw new Error(b.kind);
    expect(b.value).toBeCloseTo(sum((r) => r[4] === 1 && r[8] === 1 && r[9] === 0) / sum((r) => r[8] === 1 && r[9] === 0), 12);
    const m = ask(state, 'mean(i0)');
    if (m.kind !== 'mean') throw new Error(m.kind);
    expect(m.summary[0]!.mean).toBeCloseTo(sum((r) => r[8] === 1), 12);
  });

  it('round-trips through an artifact (family chow_liu) with the same densities', () => {
    const text = serializeArtifact(makeArtifact('T', state.toArtifactGraph(), {}));
    const loaded = loadState(text).state;
    expect(loaded.graph.family).toBe('chow_liu');
    const again = logp(loaded, states);
    states.forEach((_, k) => expect(again[k]).toBe(lp[k]));
    // An artifact that names the family but lost the tree's marker parameter is refused.
    const broken = JSON.parse(text);
    delete broken.ir.params['chow_liu.alpha'];
    expect(() => loadState(JSON.stringify(broken))).toThrow(/chow_liu/);
  });

  it('samples follow the joint (frequencies within 5 standard errors)', () => {
    const n = 4000;
    const sm = ask(state, `sample(${n}, seed = 3)`);
    if (sm.kind !== 'sample') throw new Error(sm.kind);
    const j = sm.columns.indexOf('c');
    const q = states.reduce((acc, r, k) => (r[9] === 2 ? acc + p[k]! : acc), 0);
    const freq = sm.rows.filter((r) => r[j] === 'z').length / n;
    expect(Math.abs(freq - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / n));
  });
});

/** A query answer's cell as a level index. */
function cell(c: unknown, j: number): number {
  if (typeof c === 'boolean') return c ? 1 : 0;
  if (typeof c === 'string') return j === 9 ? CAT.indexOf(c) : Number(c);
  return c as number;
}

describe('chow_liu: bad models', () => {
  const data = csv(generate(20, 1, 0), new Array<number>(20).fill(0.5), 'r');
  const errs = (model: string, fit = 'by em'): string[] => {
    const { program, diagnostics } = compile(`data d from "${data}" ${HEADER.replace(' }', ', r: real }')}\n${model}\nfit T on d ${fit}`, join(tempDir(), 'm.pmix'));
    const out = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);
    if (out.length || !program) return out;
    try {
      new Session(program).fit(program.steps.find((st) => st.kind === 'fit')!);
      return [];
    } catch (e) {
      const ds = (e as { diagnostics?: { span?: { startLine: number; startColumn: number }; message: string }[] }).diagnostics;
      return ds ? ds.map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`) : [(e as Error).message];
    }
  };
  it('names the place and the fix', () => {
    expect(errs('model T(a0, r) = chow_liu()')).toEqual([expect.stringMatching(/^2:18 chow_liu models discrete variables .* but 'r' is a real column/)]);
    expect(errs('model T(a0, a1) = chow_liu(alpha = -1)')).toEqual([expect.stringMatching(/^2:36 alpha must be a finite number >= 0/)]);
    expect(errs('model T(a0, a1) = chow_liu(beta = 1)')).toEqual([expect.stringMatching(/^2:28 chow_liu has no parameter 'beta'/)]);
    expect(errs('model T(a0, a1) = mixture(k = 2) of chow_liu()')).toEqual([expect.stringMatching(/^2:37 chow_liu\(\.\.\.\) is .*, a model of its own: it stands alone/)]);
    expect(errs('model T(a0, a1) = chow_liu()', 'by adam')).toEqual([expect.stringMatching(/^3:15 T is a Chow-Liu tree: it is fitted in closed form/)]);
  });
});
