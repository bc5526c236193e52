// square(...) from model text: signed mixtures written directly, `sum real` circuits, the
// structured-decomposability diagnostic, and artifacts of squared models.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { Session } from '../../session/session.js';
import { ModelState } from '../../runtime/state.js';
import { logPartition, squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { compileOk, modelState, tempDir } from '../helpers/programs.js';
import { closedFormZ, mixtureC } from './helpers.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

const reals = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));

function lower(body: string, vars: IRVariable[]): ReturnType<typeof lowerModel> {
  return lowerModel(compileOk(`model M = ${body}`), 'M', vars);
}

describe('square(...) in the language', () => {
  it('a mixture with a negative weight, written directly and squared', () => {
    const s = modelState('model S(x) = square(mixture(weights = [1.0, -0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 0, sd = 0.5) })', 'S');
    expect(s.graph.family).toBe('squared');
    const w = [1, -0.6];
    const means = [[0], [0]];
    const sds = [[1], [0.5]];
    const z = closedFormZ(w, means, sds);
    expect(Math.abs(Math.exp(logPartition(s)) - z) / z).toBeLessThan(1e-9);
    const lp = squaredLogDensity(s, Float64Array.of(0.7), 1)[0]!;
    expect(lp).toBeCloseTo(Math.log(mixtureC(w, means, sds, [0.7]) ** 2 / z), 10);
  });

  it('answers logp through the session (the query path)', () => {
    const p = compileOk('model S(x) = square(mixture(weights = [1.0, -0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 0, sd = 0.5) })\nquery S: logp(x = 0.7)');
    const sess = new Session(p);
    const st = p.steps[0]!;
    if (st.kind !== 'query') throw new Error('expected a query');
    const a = sess.query('S', st.query);
    expect(a.kind).toBe('density');
    const z = closedFormZ([1, -0.6], [[0], [0]], [[1], [0.5]]);
    if (a.kind === 'density') expect(a.logValue).toBeCloseTo(Math.log(mixtureC([1, -0.6], [[0], [0]], [[1], [0.5]], [0.7]) ** 2 / z), 10);
  });

  it('sum real is valid inside square() and refused outside it', () => {
    const ok = lower('square(circuit { region random_tree(depth = 2) inputs Normal sum real(units = 3) })', reals(4));
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ok.graph!.family).toBe('squared');
    expect(Object.values(ok.graph!.params).some((p) => p.param.kind === 'signed')).toBe(true);
    const bad = lower('circuit { sum real(units = 3) }', reals(4));
    expect(bad.graph).toBeUndefined();
    expect(bad.diagnostics[0]!.message).toMatch(/must be squared/);
    expect(bad.diagnostics[0]!.span!.startColumn).toBeGreaterThan(11);
  });

  it('refuses to square a circuit that is not structured-decomposable, on the region entry', () => {
    const text = 'model M = square(circuit { region random_tree(depth = 2, repeats = 2) inputs Normal sum real(units = 2) })';
    const r = lowerModel(compileOk(text), 'M', reals(4));
    expect(r.graph).toBeUndefined();
    const d = r.diagnostics.find((x) => x.code === 'not-structured-decomposable')!;
    expect(d.message).toMatch(/structured-decomposable/);
    expect(text.slice(d.span!.startOffset, d.span!.endOffset + 1)).toMatch(/^region random_tree/);
    const pd = lowerModel(compileOk('model M = square(circuit { region poon_domingos(width = 2, delta = 1) inputs Normal sum real(units = 2) })'), 'M', reals(4));
    expect(pd.diagnostics.some((x) => x.code === 'not-structured-decomposable')).toBe(true);
  });

  it('refuses square() inside another model and EM fits', () => {
    const r = lower('mixture { square(mixture(weights = [1, -0.5]) { Normal, Normal }), Normal }', reals(1));
    expect(r.diagnostics[0]!.message).toMatch(/whole model/);
  });

  it('saves and loads a squared model as an artifact', () => {
    const p = compileOk('model S(x) = square(mixture(weights = [1.0, -0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 0.3, sd = 0.5) })');
    const sess = new Session(p);
    const text = serializeArtifact(sess.artifact('S'));
    const a = readArtifact(text);
    const s2 = new ModelState(a.ir);
    const s1 = sess.stateOf('S');
    const x = Float64Array.of(-0.4, 0.2, 1.5);
    expect(Array.from(squaredLogDensity(s2, x, 3))).toEqual(Array.from(squaredLogDensity(s1, x, 3)));
  });

  it('fits by adam and refuses em with a hint', () => {
    const dir = tempDir();
    const rows: string[] = ['x'];
    for (let i = 0; i < 400; i++) {
      const u = (i + 0.5) / 400;
      rows.push(String(Math.sign(u - 0.5) * (1 + 2 * Math.abs(u - 0.5))));
    }
    writeFileSync(join(dir, 'd.csv'), rows.join('\n') + '\n');
    const src = `data d from "d.csv" { x: real }\nmodel S = square(mixture(k = 3) of Normal)\nfit S on d by adam(lr = 0.05, epochs = 30, batch = 100, seed = 1)`;
    const p = compileOk(src, join(dir, 'm.pmix'));
    const sess = new Session(p);
    const st = p.steps[0]!;
    if (st.kind !== 'fit') throw new Error('expected a fit');
    const sum = sess.fit(st);
    expect(Number.isFinite(sum.mean_log_likelihood)).toBe(true);
    expect(sum.mean_log_likelihood).toBeGreaterThan(-2);
    const em = compile(`data d from "d.csv" { x: real }\nmodel S = square(mixture(k = 3) of Normal)\nfit S on d by em`, join(dir, 'm.pmix'));
    const s2 = new Session(em.program!);
    expect(() => s2.fit(em.program!.steps[0] as never)).toThrow(/fitted by gradient/);
  });
});
