// A pmix GMM built through the public compiler/runtime modules, with parameters set from the
// data's true labels (a cheap, deterministic init both sides then start from).
import { compile } from '../../dist/compiler/compile.js';
import { lowerModel } from '../../dist/compiler/lower.js';
import { ModelState } from '../../dist/runtime/state.js';

export const REG_COVAR = 1e-6;

/** The lowered state of `mixture(k) of Normal(variant)` over d real variables. */
export function gmmState(d, k, variant) {
  const names = Array.from({ length: d }, (_, i) => `x${i}`);
  const { program, diagnostics } = compile(`model G = mixture(k = ${k}) of Normal(${variant})\n`, '/tmp/bench-gmm.pmix');
  if (!program) throw new Error(diagnostics.map((e) => e.message).join('; '));
  const lowered = lowerModel(program, 'G', names.map((name) => ({ name, type: { kind: 'real' } })));
  if (!lowered.graph) throw new Error(lowered.diagnostics.map((e) => e.message).join('; '));
  return new ModelState(lowered.graph);
}

/** The Normal input layer and the mixing weights of a one-layer GMM state. */
export function gmmParts(state) {
  const layer = [...state.layers.values()][0];
  const mixing = state.nodes.find((n) => n.kind === 'mixing');
  return { layer, weights: state.values.get(mixing.weights) };
}

/** Sets weights, means and covariances from hard labels (+ REG_COVAR); returns them for the peer. */
export function initFromLabels(state, x, n, d, k, labels) {
  const { layer, weights } = gmmParts(state);
  const full = layer.ctx.variant !== 'diag';
  const count = new Float64Array(k);
  const mean = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    count[labels[i]]++;
    for (let a = 0; a < d; a++) mean[labels[i] * d + a] += x[i * d + a];
  }
  for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) mean[c * d + a] /= count[c];
  const cov = new Float64Array(k * d * d);
  for (let i = 0; i < n; i++) {
    const o = labels[i] * d * d;
    for (let a = 0; a < d; a++) {
      const da = x[i * d + a] - mean[labels[i] * d + a];
      for (let b = 0; b < d; b++) cov[o + a * d + b] += da * (x[i * d + b] - mean[labels[i] * d + b]);
    }
  }
  for (let c = 0; c < k; c++) {
    weights[c] = count[c] / n;
    for (let e = 0; e < d * d; e++) cov[c * d * d + e] /= count[c];
    for (let a = 0; a < d; a++) cov[c * d * d + a * d + a] += REG_COVAR;
  }
  layer.params['mean'].set(mean);
  if (full) layer.params['cov'].set(cov);
  else for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) layer.params['var'][c * d + a] = cov[c * d * d + a * d + a];
  return { weights: Array.from(weights), means: Array.from(mean), covs: Array.from(full ? layer.params['cov'] : layer.params['var']) };
}
