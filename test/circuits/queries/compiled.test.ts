// The circuit queries on circuits written in the language (`circuit { ... }`, lowered by the
// compiler), with random parameters: queries by text equal brute-force enumeration.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IRVariable } from '../../../ir/types.js';
import { lowerModel } from '../../../compiler/lower.js';
import { mapState } from '../../../runtime/queries/map.js';
import { ModelState } from '../../../runtime/state.js';
import { Rng } from '../../../stdlib/random.js';
import { compileOk } from '../../helpers/programs.js';
import { agrees, bruteJoint, randomPartial } from '../../helpers/random-circuits.js';
import { ask, literals } from './ask.js';

const K = 5;
const vars: IRVariable[] = Array.from({ length: K }, (_, i) => ({ name: `x${i}`, type: { kind: 'bool' } }));

function randomState(body: string, seed: number): ModelState {
  const { graph, diagnostics } = lowerModel(compileOk(`model M = ${body}`), 'M', vars);
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const s = new ModelState(graph);
  const rng = new Rng(seed);
  for (const [name, v] of s.values) {
    const p = s.param(name);
    if (p.param.kind === 'simplex') {
      const last = p.shape[p.shape.length - 1]!;
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let j = 0; j < last; j++) t += v[r * last + j] = rng.uniformOpen();
        for (let j = 0; j < last; j++) v[r * last + j] /= t;
      }
    } else if (p.param.kind === 'unit') for (let i = 0; i < v.length; i++) v[i] = 0.05 + 0.9 * rng.uniformOpen();
  }
  return s;
}

const STRUCTURES = [
  'circuit { region random_tree(depth = 2, repeats = 2, seed = 3) inputs Bernoulli sum(units = 3) }',
  'circuit { region random_tree(depth = 3) inputs Bernoulli(units = 2) sum(units = 3) product kronecker }',
  'circuit { region linear inputs Bernoulli sum(units = 2) product cp }',
];

describe.each(STRUCTURES)('%s', (body) => {
  it('answers p(A | B), mean, mode and sample(n | ...) as brute force says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const s = randomState(body, seed);
        const g = s.toGraph();
        const j = bruteJoint(g);
        const ev = randomPartial(g, new Rng(seed), 0.4);
        ev[0] = NaN;
        let pe = 0;
        let p1 = 0;
        let best = 0;
        for (let i = 0; i < j.n; i++) {
          if (!agrees(j.rows, i, ev)) continue;
          pe += j.p[i]!;
          if (j.rows[i * K] === 1) p1 += j.p[i]!;
          best = Math.max(best, j.p[i]!);
        }
        const given = literals(g, ev);
        const bar = given ? ` | ${given}` : '';
        const d = ask(s, `p(x0 = true${bar})`);
        if (d.kind === 'density') expect(Math.abs(d.value - p1 / pe)).toBeLessThan(1e-6);
        const m = ask(s, `mean(x0${bar})`);
        if (m.kind === 'mean') expect(Math.abs(m.summary[0]!.probs!['true']! - p1 / pe)).toBeLessThan(1e-6);
        const map = mapState(s, ev);
        expect(map.logDensity).toBeLessThanOrEqual(Math.log(best) + 1e-9);
        if (map.exact) expect(Math.abs(map.logDensity - Math.log(best))).toBeLessThan(1e-6);
        const mode = ask(s, given ? `mode(${given})` : 'mode()');
        expect(mode.kind).toBe('mode');
        const draws = ask(s, `sample(5, seed = 1${bar})`);
        if (draws.kind === 'sample') for (const r of draws.rows) ev.forEach((e, v) => !Number.isNaN(e) && expect(r[v]).toBe(e === 1));
      }),
      { numRuns: 8 },
    );
  });
});
