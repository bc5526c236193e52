// Flows are gradients: the expected edge counts of the backward pass equal w * d log p / d w and a
// leaf's flows give d log p / d theta, checked by central finite differences on a deep circuit.
import { it, expect } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import { backward, forward } from '../../runtime/evaluate.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk } from '../helpers/programs.js';
it('edge counts and leaf flows equal finite-difference gradients on a binary quad-tree circuit', () => {
  const vars = Array.from({ length: 16 }, (_, i) => ({ name: `b${i}`, type: { kind: 'bool' as const } }));
  const { graph } = lowerModel(compileOk('model M = circuit { region quad_tree(width = 4) inputs Bernoulli sum(units = 3) }'), 'M', vars);
  const s = new ModelState(graph!);
  const rng = new Rng(3);
  for (const [name, v] of s.values) { const p = s.param(name); if (p.param.kind === 'simplex') { const L = p.shape[1]!; for (let r = 0; r < v.length / L; r++) { let t = 0; for (let j = 0; j < L; j++) t += v[r*L+j] = rng.uniformOpen(); for (let j = 0; j < L; j++) v[r*L+j] /= t; } } else for (let i = 0; i < v.length; i++) v[i] = 0.1 + 0.8 * rng.uniformOpen(); }
  const n = 5; const x = Float64Array.from({ length: n * 16 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const w = new Float64Array(n).fill(1);
  const ll = () => forward(s, x, n).get(s.graph.root)!.reduce((a, b) => a + b, 0);
  const counts = new Map(); const flows = backward(s, forward(s, x, n), n, w, counts);
  let maxErr = 0;
  for (const [name, c] of counts) {
    const v = s.values.get(name)!;
    for (let i = 0; i < v.length; i++) {
      const h = 1e-6; const old = v[i]!; v[i] = old + h; const up = ll(); v[i] = old - h; const dn = ll(); v[i] = old;
      const fd = v[i]! * (up - dn) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(fd - c[i]!));
    }
  }
  // leaves: d ll / d p = sum flow * (x/p - (1-x)/(1-p))
  for (const node of s.graph.nodes) if (node.kind === 'input') {
    const pn = (node as { params: Record<string, string> }).params.p!; const v = s.values.get(pn)!; const f = flows.get(node.id)!;
    for (let u = 0; u < node.units; u++) {
      let g = 0; for (let r = 0; r < n; r++) { const xv = x[r*16 + node.scope[0]!]!; g += f[r*node.units+u]! * (xv ? 1/v[u]! : -1/(1-v[u]!)); }
      const h = 1e-6; const old = v[u]!; v[u] = old + h; const up = ll(); v[u] = old - h; const dn = ll(); v[u] = old;
      maxErr = Math.max(maxErr, Math.abs((up-dn)/(2*h) - g));
    }
  }
  expect(maxErr).toBeLessThan(1e-5);
});
