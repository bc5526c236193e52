// What `pmix check` says about a categorical (multiclass) GP: its classes and how it is fitted and
// predicts; other GPs report nothing here.
import type { IRGraph } from '../../ir/types.js';
import type { FamilyReport } from '../../runtime/family.js';
import { gpNode } from '../../runtime/gp/fit.js';
import { MC_SAMPLES } from '../../runtime/gp/multiclass-probs.js';

export function describeGp(graph: IRGraph, model: string): FamilyReport | undefined {
  const node = gpNode(graph);
  const C = node.likelihood?.classes;
  if (!C) return undefined;
  const out = graph.vars[node.output]!;
  const levels = out.type.kind === 'categorical' ? out.type.levels : Array.from({ length: C }, (_, c) => String(c));
  const inputs = node.inputs.map((i) => graph.vars[i]!.name);
  return {
    key: 'gp_classes',
    json: { output: out.name, classes: C, levels, inputs, inference: 'laplace', probabilities: `monte carlo, ${MC_SAMPLES} fixed draws` },
    lines: [`${model}: a categorical GP classifier of '${out.name}' on ${inputs.join(', ')}: ${C} classes (${levels.join(', ')}), one latent GP per class sharing the kernel; Laplace approximation (R&W 3.5), class probabilities by Monte Carlo over ${MC_SAMPLES.toLocaleString('en-US')} fixed draws`],
  };
}
