// Fuzzes model artifacts: valid ones with fields dropped, duplicated, swapped or replaced
// (wrong types, extreme numbers, huge arrays, deep nesting, __proto__/constructor keys),
// and truncated texts. Loading must give a PmixError or a model that answers queries; it must
// never throw anything else, and Object.prototype must stay clean.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../language/parse.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { familyOf } from '../../families/index.js';
import { Session } from '../../session/session.js';
import { ModelState } from '../../runtime/state.js';
import { compileOk } from '../helpers/programs.js';
import { makeCorpus } from './corpus.js';
import { reportCases, runs, seed } from './config.js';
import { findNaN, isExpected } from './pipeline.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Valid artifacts of fitted models covering every leaf family and nesting. */
function validArtifacts(): string[] {
  const corpus = makeCorpus(30);
  const out: string[] = [];
  for (const text of corpus.seeds) {
    const program = compileOk(text, `${corpus.dir}/a.pmix`);
    const s = new Session(program);
    for (const st of program.steps) {
      if (st.kind !== 'fit') continue;
      s.fit({ ...st, settings: st.settings.method === 'em' ? { ...st.settings, maxIter: 5, restarts: 1 } : { ...st.settings, epochs: 1 } });
      out.push(serializeArtifact(s.artifact(st.model)));
    }
  }
  return out;
}

const REPLACEMENTS: Json[] = [null, 0, -1, 1.5, 1e300, -1e300, 5e-324, 'NaN', 'x', '', true, [], {}, [[1, 2], [3]], { kind: 'spd' }, 2 ** 31, 1e9];

/** The paths (keys and indices) of a JSON value, not inside huge arrays or deep nests (the fuzzer's own). */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (prefix.length > 12) return out;
  if (Array.isArray(v)) v.slice(0, 40).forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

type Edit = { op: 'drop' | 'dup' | 'replace' | 'swap' | 'huge' | 'deep'; at: number; other: number; value: Json };

function applyEdit(root: Json, e: Edit): Json {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) return root;
  const p = all[e.at % all.length]!;
  const parent = p.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, root) as Record<string, Json> | Json[];
  const key = p[p.length - 1]!;
  const get = (): Json => (parent as Record<string, Json>)[key as string]!;
  const set = (x: Json): void => void ((parent as Record<string, Json>)[key as string] = x);
  switch (e.op) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'dup':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(get()));
      else parent[`${String(key)}`] = structuredClone(get());
      break;
    case 'replace':
      set(structuredClone(e.value));
      break;
    case 'swap': {
      const q = all[e.other % all.length]!;
      const qp = q.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, root) as Record<string, Json>;
      if (qp === undefined || qp === null || typeof qp !== 'object') break;
      const tmp = qp[q[q.length - 1] as string]!;
      if (p.join('.').startsWith(q.join('.')) || q.join('.').startsWith(p.join('.'))) break;
      qp[q[q.length - 1] as string] = get();
      set(tmp);
      break;
    }
    case 'huge':
      set(new Array<number>(50_000 + (e.other % 50_000)).fill(e.at % 7));
      break;
    case 'deep':
      // Expanded in the text (deepen): JSON.stringify itself would overflow the stack.
      set(`__deep_${1000 + (e.other % 200_000)}__`);
      break;
  }
  return root;
}

/** Nested arrays `depth` deep in place of the markers left by 'deep' edits. */
function deepen(text: string): string {
  return text.replace(/"__deep_(\d+)__"/g, (_, d: string) => '['.repeat(Number(d)) + '1' + ']'.repeat(Number(d)));
}

/** Text-level attacks: polluting keys, truncation. */
function textAttack(text: string, kind: number, at: number): string {
  const i = text.length ? at % text.length : 0;
  switch (kind) {
    case 0:
      return text.replace('{', '{"__proto__": {"polluted": "yes"}, ');
    case 1:
      return text.replace('"params": {', '"params": {"__proto__": {"polluted": "yes"}, ');
    case 2:
      return text.replace('{', '{"constructor": {"prototype": {"polluted": "yes"}}, ');
    case 3:
      return text.slice(0, i);
    default:
      return text;
  }
}

const QUERIES = ['sample(2, seed = 1)', 'mode()', 'mean()'];

/** Loads text as `pmix query` does and asks a few queries; throws on a bug. */
function load(text: string): void {
  let state: ModelState;
  try {
    state = new ModelState(readArtifact(text, 'fuzz.json').ir);
  } catch (e) {
    if (!isExpected(e)) throw e;
    return;
  }
  const v0 = state.graph.vars[0];
  const qs = [...QUERIES, ...(v0 ? [`p(${v0.name})`, `logp(${v0.name} = 1)`, `posterior(${v0.name} = 1)`] : [])];
  for (const q of qs) {
    const { query } = parseQuery(q);
    if (!query) continue;
    try {
      const a = familyOf(state.graph).answer(state, query, { vars: state.graph.vars, file: '<query>', constants: new Map() });
      const bad = findNaN(a);
      if (bad) throw new Error(`query ${q} answered NaN at ${bad}`);
    } catch (e) {
      if (!isExpected(e)) throw e;
    }
  }
}

const bases = validArtifacts();
let cases = 0;
afterAll(() => reportCases('artifacts', cases));

const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('drop', 'dup', 'replace', 'replace', 'replace', 'swap', 'huge', 'deep'),
  at: fc.nat(),
  other: fc.nat(),
  value: fc.constantFrom(...REPLACEMENTS),
});

describe('artifacts: a PmixError or a working model, never another exception', () => {
  it('the valid artifacts load and answer', () => {
    for (const b of bases) expect(() => load(b)).not.toThrow();
  });

  it('mutated artifacts', () => {
    const arb = fc.tuple(fc.nat({ max: bases.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), fc.nat({ max: 6 }), fc.nat());
    fc.assert(
      fc.property(arb, ([b, edits, kind, at]) => {
        cases++;
        let root = JSON.parse(bases[b]!) as Json;
        for (const e of edits) root = applyEdit(root, e);
        load(textAttack(deepen(JSON.stringify(root)), kind, at));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: runs(800), seed: seed() },
    );
  });
});
