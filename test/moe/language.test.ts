// experts(x -> y) { ... } in the language and its artifacts: bad items are diagnostics on their
// spans with the fix; pmix check describes the model; a fitted model round-trips through its
// artifact (Node loader) and a mutated artifact is refused naming the field; queries bind
// against the inputs and outputs.
import { describe, expect, it } from 'vitest';
import { load as loadBrowser } from '../../api/browser.js';
import { compile as apiCompile, load } from '../../api/index.js';
import { familyOf } from '../../families/index.js';
import { makeArtifact, serializeArtifact } from '../../runtime/artifact.js';
import { loadState } from '../../session/load-artifact.js';
import { Session } from '../../session/session.js';
import { compileOk, writeCsv } from '../helpers/programs.js';
import { sampleMoe } from './helpers.js';

const diag = (text: string): string[] => {
  const s = new Session(compileOk(`data d from "${writeCsv(['x', 'u', 'y', 'c'], [[1, 2, 3, 0]])}" { x: real, u: real, y: real, c: categorical }\n${text}\nfit M on d\n`));
  return s.check().map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`);
};

describe('experts(...) in the language', () => {
  it('reports bad items on their spans, with the fix', () => {
    expect(diag('model M = experts(x -> y) { k = 0 }')).toEqual(['2:33 k = 0: expected a whole number from 1 to 64']);
    expect(diag('model M = experts(x -> y) { gate = softmox }')).toEqual(["2:36 unknown gate 'softmox' (gates: softmax, gaussian, tree) | did you mean 'softmax'?"]);
    expect(diag('model M = experts(x -> y) { k = 2; gate = softmax(top = 3) }')).toEqual(['2:57 top = 3: at most k = 2 experts']);
    expect(diag('model M = experts(x -> y) { expert = linear(noise = dig) }')).toEqual(["2:53 noise = dig: expected diag or full | did you mean 'diag'?"]);
    expect(diag('model M = experts(x -> y) { kernel = rbf() }')[0]).toMatch(/^2:29 'kernel' is an item of GP experts: write expert = gp to use it/);
    expect(diag('model M = experts(x -> y, u) { expert = gp }')[0]).toMatch(/^2:41 GP experts model one output; this model has 2 \(y, u\)/);
    expect(diag('model M = experts(x -> y) { expert = gp; kernel = rbf() + white(0.1) }')[0]).toMatch(/^2:42 a GP expert's kernel takes no white/);
    expect(diag('model M = experts(x -> c) { k = 2 }')[0]).toMatch(/'c' is categorical: experts\(\.\.\.\) take real or int outputs/);
    expect(diag('model M = experts(x -> y) { tasks = icm() }')[0]).toMatch(/experts\(\.\.\.\) has no item 'tasks'/);
    expect(diag('model M = experts(x -> y) { gate = gaussian(ridge = 1) }')[0]).toMatch(/the gaussian gate has no argument 'ridge'/);
    expect(diag('model M = experts(x -> y) { k = 4; gate = tree }')).toEqual(['2:43 a tree gate needs its branches: tree(branches = 2) (k / branches experts under each)']);
    expect(diag('model M = experts(x -> y) { k = 3; gate = tree(branches = 2) }')).toEqual(['2:59 branches = 2 does not divide k = 3: each branch holds k / branches experts']);
    expect(diag('model M = experts(x -> y) { expert = poisson(noise = diag) }')[0]).toMatch(/a poisson expert takes no arguments/);
    expect(diag('model M = mixture(k = 2) of experts(x -> y)')[0]).toMatch(/a experts\(\.\.\.\) model stands alone|experts\(\.\.\.\) model stands alone/);
  });

  it('pmix check describes the gate and the experts', () => {
    const s = new Session(compileOk('model M = experts(x -> y) { k = 3; gate = softmax(top = 2); expert = linear(noise = full) }'));
    s.lower('M', s.variables('M'));
    const g = s.lowered.get('M')!;
    const r = familyOf(g).describe!(g, 'M', 'm.pmix')!;
    expect(r.lines[0]).toBe('M: a mixture of 3 experts, p(y | x)');
    expect(r.lines[1]).toMatch(/top-2 sparse: 2 of 3 experts evaluated per point.*linear-Gaussian experts with full noise/);
    expect(r.json).toEqual({ inputs: ['x'], outputs: ['y'], k: 3, gate: 'softmax', ridge: 0.001, top: 2, expert: 'linear', noise: 'full' });
  });
});

describe('mixture-of-experts artifacts', () => {
  const data = sampleMoe({ gate: { kind: 'softmax', w: [[2, 0], [0, 0]] }, experts: [[1, 0, 0.3], [-1, 1, 0.5]] }, 300, 1);

  it('round-trip: the loaded model answers as the fitted one (linear and GP experts)', async () => {
    for (const body of ['k = 2', 'k = 2; gate = gaussian', 'k = 2; expert = gp; kernel = 1 * rbf(ls = 1)']) {
      const m = apiCompile(`model M = experts(x -> y) { ${body} }`).model('M');
      // GP experts factor n x n matrices every iteration: fewer rows
      await m.fit(body.includes('gp') ? data.slice(0, 80) : data, { method: 'em', maxIter: body.includes('gp') ? 5 : 20 });
      const again = load(m.save());
      const at = [{ x: -1 }, { x: 0.5 }];
      expect(again.predict(at)).toEqual(m.predict(at));
      expect(again.logProb([{ x: 0.3, y: 1 }])).toEqual(m.logProb([{ x: 0.3, y: 1 }]));
      expect(again.query('posterior(x = 1, y = 0)')).toEqual(m.query('posterior(x = 1, y = 0)'));
      // the browser entry loads the same artifact
      expect(loadBrowser(m.save()).predict(at)).toEqual(m.predict(at));
    }
  });

  it('a mutated artifact is refused, naming the field', async () => {
    const m = apiCompile('model M = experts(x -> y) { k = 2 }').model('M');
    await m.fit(data, { method: 'em', maxIter: 10 });
    const art = JSON.parse(m.save());
    const mutate = (f: (a: typeof art) => void): string => {
      const a = JSON.parse(JSON.stringify(art));
      f(a);
      return JSON.stringify(a);
    };
    expect(() => loadState(mutate((a) => (a.ir.nodes[0].options.gate = 'forest')))).toThrow(/ir\.nodes\[0\]\.options\.gate: expected one of softmax, gaussian, tree/);
    expect(() => loadState(mutate((a) => (a.ir.params['expert.noise'].value[1] = -1)))).toThrow(/ir\.params\['expert\.noise'\]\.value\[1\]: a noise variance must be > 0/);
    expect(() => loadState(mutate((a) => (a.ir.params['gate.w'].shape = [3, 2])))).toThrow(/ir\.params\['gate\.w'\]/);
    expect(() => loadState(mutate((a) => (a.ir.nodes[0].options.top = 5)))).toThrow(/options\.top: expected a whole number from 1 to k = 2/);
    expect(() => loadState(mutate((a) => (a.ir.nodes[0].options.outputs = [0])))).toThrow(/options\.outputs: inputs and outputs must be distinct/);
    // the unmutated artifact loads
    expect(loadState(serializeArtifact(makeArtifact('M', loadState(m.save()).state.toArtifactGraph(), {}))).state.graph.family).toBe('moe');
  });

  it('queries bind against the inputs and outputs', async () => {
    const m = apiCompile('model M = experts(x -> y) { k = 2 }').model('M');
    await m.fit(data, { method: 'em', maxIter: 10 });
    expect(() => m.query('p(y | z = 1)')).toThrow(/'z' is not an input/);
    expect(() => m.query('sample(3 | x = 1, y = 2)')).toThrow(/sample\(\.\.\.\) draws the outputs \(y\) given the inputs: give only x = \.\.\./);
    expect(() => m.query('posterior(y = 2)')).toThrow(/posterior\(\.\.\.\) of a mixture of experts needs every input: x = \.\.\./);
    const s = m.query('sample(4 | x = 1)');
    if (s.kind !== 'sample') throw new Error('expected samples');
    expect(s.columns).toEqual(['x', 'y', 'expert']);
    expect(s.rows.every((r) => r[0] === 1 && (r[2] === 1 || r[2] === 2))).toBe(true);
  });
});
