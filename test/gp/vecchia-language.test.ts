// inference = vecchia(m = M) end to end: lowering and its errors on their spans, an L-BFGS fit
// from model text (with m >= n it is the exact GP's fit), the artifact round trip, and the
// pmix command (fit, query, predict, check --cost, a bad artifact named by its field).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { GPNode, IRVariable } from '../../ir/types.js';
import { makeArtifact, serializeArtifact } from '../../runtime/artifact.js';
import { predict } from '../../runtime/gp/predict.js';
import { ModelState } from '../../runtime/state.js';
import { readArtifact } from '../../session/load-artifact.js';
import { lowerProgramModel } from '../../session/lower.js';
import { Session } from '../../session/session.js';
import { tempDir, writeCsv } from '../helpers/programs.js';
import { lcg } from './helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');
const real = (name: string): IRVariable => ({ name, type: { kind: 'real' } });

function lower(body: string, vars: IRVariable[] = [real('x'), real('y')]): { node?: GPNode; messages: string[] } {
  const { program, diagnostics } = compile(`model M = ${body}\n`, 'm.pmix');
  if (!program) return { messages: diagnostics.map((d) => `${d.span?.startLine}:${d.span?.startColumn}: ${d.message}`) };
  const r = lowerProgramModel(program, 'M', vars);
  return { node: r.graph?.nodes[0] as GPNode | undefined, messages: r.diagnostics.map((d) => `${d.span?.startLine}:${d.span?.startColumn}: ${d.message}`) };
}

function rows1(n: number, seed: number): number[][] {
  const u = lcg(seed);
  return Array.from({ length: n }, () => {
    const x = 10 * u();
    return [x, Math.sin(x) + 0.2 * (u() - 0.5)];
  });
}

function session(text: string): { s: Session; program: NonNullable<ReturnType<typeof compile>['program']> } {
  const { program, diagnostics } = compile(text, 'v.pmix');
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return { s: new Session(program), program };
}

describe('vecchia inference in the language', () => {
  it('lowers vecchia(m = M) with m = 30 by default, and names bad arguments on their spans', () => {
    expect(lower('gp(x -> y) { kernel = rbf(); inference = vecchia(m = 12) }').node!.inference).toEqual({ kind: 'vecchia', m: 12 });
    expect(lower('gp(x -> y) { inference = vecchia }').node!.inference).toEqual({ kind: 'vecchia', m: 30 });
    expect(lower('gp(x -> y) { inference = vecchia(7) }').node!.inference).toEqual({ kind: 'vecchia', m: 7 });
    expect(lower('gp(x -> y) { inference = vecchia(m = 0) }').messages).toEqual([expect.stringMatching(/^1:44: m must be a whole number between 1 and 1000/)]);
    expect(lower('gp(x -> y) { inference = vecchia(m = 2.5) }').messages).toEqual([expect.stringMatching(/^1:44: m must be a whole number/)]);
    expect(lower('gp(x -> y) { inference = vecchia(m = 1001) }').messages).toEqual([expect.stringMatching(/^1:44: m must be a whole number between 1 and 1000/)]);
    expect(lower('gp(x -> y) { inference = vecchia(k = 3) }').messages).toEqual(["1:44: vecchia takes m (the number of neighbours each point conditions on), not 'k'"]);
    expect(lower('gp(x -> y) { inference = nearest(m = 3) }').messages).toEqual(['1:36: inference is exact, sparse(m = M) or vecchia(m = M)']);
    expect(lower('gp(x -> y1, y2) { inference = vecchia(m = 3) }', [real('x'), real('y1'), real('y2')]).messages).toEqual(['1:41: vecchia inference of multitask GPs is not supported: use exact inference']);
  });

  it('with m >= n fits as the exact GP (same optimum), saying m was clamped; refuses adam', () => {
    const path = writeCsv(['x', 'y'], rows1(60, 5));
    const fit = (inference: string): ReturnType<Session['fit']> => {
      const { s, program } = session(`data d from "${path}" { x: real, y: real }\nmodel G = gp(x -> y) {\n  kernel = 1 * matern52(ls = 1)\n  inference = ${inference}\n}\nfit G on d by lbfgs(seed = 1)\n`);
      return s.fit(program.steps[0] as never);
    };
    const exact = fit('exact');
    const vec = fit('vecchia(m = 100)');
    expect(vec.gp!.inference).toBe('vecchia');
    expect(vec.gp!.notes.join(' ')).toMatch(/m = 100 clamped to n - 1 = 59: the exact likelihood/);
    expect(Math.abs(vec.gp!.log_marginal_likelihood - exact.gp!.log_marginal_likelihood)).toBeLessThan(1e-6);
    for (const [k, v] of Object.entries(exact.gp!.hyperparameters)) expect(vec.gp!.hyperparameters[k]![0]!).toBeCloseTo(v[0]!, 4);
    const { s, program } = session(`data d from "${path}" { x: real, y: real }\nmodel G = gp(x -> y) { inference = vecchia(m = 5) }\nfit G on d by adam(epochs = 1)\n`);
    expect(() => s.fit(program.steps[0] as never)).toThrow(/a Vecchia GP is fitted by lbfgs, not adam/);
  });

  it('fits 2-D data with few neighbours, predicts near the truth, and survives a save and load', () => {
    const u = lcg(11);
    const rows = Array.from({ length: 400 }, () => {
      const a = 4 * u();
      const b = 4 * u();
      return [a, b, Math.sin(2 * a) * Math.cos(b) + 0.05 * (u() - 0.5)];
    });
    const path = writeCsv(['a', 'b', 'y'], rows);
    const { s, program } = session(`data d from "${path}" { a: real, b: real, y: real }\nmodel G = gp(a, b -> y) {\n  kernel = 1 * rbf(ard)\n  inference = vecchia(m = 15)\n  normalize_y = true\n}\nfit G on d by lbfgs(seed = 2)\n`);
    const summary = s.fit(program.steps[0] as never);
    expect(summary.gp!.points).toBe(400);
    const art = serializeArtifact(s.artifact('G'));
    const loaded = new ModelState(readArtifact(art).ir);
    const xs = Float64Array.from([1, 1, 2.5, 0.5, 3, 3]);
    const p = predict(loaded, xs, 3);
    for (let i = 0; i < 3; i++) expect(Math.abs(p.mean[i]! - Math.sin(2 * xs[2 * i]!) * Math.cos(xs[2 * i + 1]!))).toBeLessThan(0.05);
    const again = predict(new ModelState(readArtifact(serializeArtifact(makeArtifact('G', loaded.toGraph(), {}))).ir), xs, 3);
    expect(Array.from(again.mean)).toEqual(Array.from(p.mean));
    expect(Array.from(again.varY)).toEqual(Array.from(p.varY));
  });

  it('the pmix command: fit to an artifact, query, predict a CSV, check --cost, and a bad m named by its field', () => {
    const dir = tempDir();
    const data = writeCsv(['x', 'y'], rows1(200, 8), dir, 'd.csv');
    const model = join(dir, 'v.pmix');
    writeFileSync(model, `data d from "${data}" { x: real, y: real }\nmodel V = gp(x -> y) {\n  kernel = 1 * rbf()\n  inference = vecchia(m = 20)\n}\nfit V on d by lbfgs()\n`);
    const pmix = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
    const cost = pmix('check', model, '--cost');
    expect(cost.status).toBe(0);
    expect(cost.stdout).toMatch(/200 points, each with its 20 neighbours/);
    const out = join(dir, 'v.json');
    const f = pmix('fit', model, '--out', out, '--no-progress');
    expect(f.status).toBe(0);
    expect(f.stdout).toMatch(/vecchia GP on 200 points/);
    expect(f.stdout).toMatch(/Vecchia log likelihood/);
    const q = pmix('query', out, 'predict(x = 2)', '--json');
    expect(q.status).toBe(0);
    const row = JSON.parse(q.stdout).answer.rows[0];
    expect(Math.abs(row.mean - Math.sin(2))).toBeLessThan(0.1);
    const input = join(dir, 'new.csv');
    writeFileSync(input, 'x\n2\n');
    const pr = pmix('predict', out, '--data', input);
    expect(pr.status).toBe(0);
    expect(Number(pr.stdout.trim().split('\n')[1]!.split(',')[1])).toBeCloseTo(row.mean, 8);
    const bad = JSON.parse(readFileSync(out, 'utf8'));
    bad.ir.nodes[0].inference.m = 0;
    const badPath = join(dir, 'bad.json');
    writeFileSync(badPath, JSON.stringify(bad));
    const b = pmix('query', badPath, 'predict(x = 2)');
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/ir\.nodes\[0\]\.inference\.m/);
    expect(b.stderr).not.toMatch(/    at /);
  });
});

describe('vecchia inference through the embedding API', () => {
  it('fits rows in memory, predicts as the exact GP when m >= n, scores, and round-trips', async () => {
    const { compile: compileApi, load } = await import('../../api/index.js');
    const rows = Array.from({ length: 30 }, (_, i) => ({ x: i / 3, y: Math.sin(i / 3) + 0.05 * Math.cos(11 * i) }));
    const fitted = async (inference: string) => {
      const m = compileApi(`model G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.01; inference = ${inference} }`).model('G');
      const summary = await m.fit(rows, { method: 'lbfgs', restarts: 1, seed: 1 });
      return { m, summary };
    };
    const v = await fitted('vecchia(m = 40)');
    const e = await fitted('exact');
    expect(v.summary.gp!.inference).toBe('vecchia');
    expect(v.summary.gp!.log_marginal_likelihood).toBeCloseTo(e.summary.gp!.log_marginal_likelihood, 6);
    const pv = v.m.predict([{ x: 2 }, { x: 20 }]);
    const pe = e.m.predict([{ x: 2 }, { x: 20 }]);
    for (let i = 0; i < 2; i++) {
      expect(pv[i]![0]!.mean).toBeCloseTo(pe[i]![0]!.mean, 5);
      expect(pv[i]![0]!.std).toBeCloseTo(pe[i]![0]!.std, 5);
    }
    const lp = v.m.logProb([{ x: 2, y: Math.sin(2) }, { x: 2, y: 5 }]);
    expect(lp[0]).toBeGreaterThan(lp[1]!);
    expect(load(v.m.save()).predict([{ x: 2 }])[0]![0]!.mean).toBeCloseTo(pv[0]![0]!.mean, 12);
    // With few neighbours the approximation differs from the exact likelihood but predicts near it.
    const few = await fitted('vecchia(m = 3)');
    expect(Math.abs(few.summary.gp!.log_marginal_likelihood - e.summary.gp!.log_marginal_likelihood)).toBeGreaterThan(1e-3);
    expect(Math.abs(few.m.predict([{ x: 2 }])[0]![0]!.mean - pe[0]![0]!.mean)).toBeLessThan(0.05);
  });
});
