// Mixtures and products with a family's part (a KDE component: a `family` node below the
// root): what they fit by, which queries they answer (by the circuit passes, the part through
// its family's hooks, runtime/family-nodes.ts) and the artifact checks of the parts.
import type { FitSettings } from '../../compiler/program.js';
import type { BoundQuery } from '../../ir/query.js';
import type { FamilyNode, IRGraph } from '../../ir/types.js';
import type { GraphFail } from '../../runtime/family.js';
import { familyNodeHooks } from '../../runtime/family-nodes.js';
import type { QueryAnswer } from '../../runtime/queries/answer.js';
import { queryError } from '../../runtime/queries/evidence.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import type { ModelState } from '../../runtime/state.js';
import { PmixError } from '../../runtime/errors.js';

const parts = (g: IRGraph): FamilyNode[] => g.nodes.filter((n): n is FamilyNode => n.kind === 'family');
export const hasParts = (g: IRGraph): boolean => parts(g).length > 0;
const partNames = (g: IRGraph): string => [...new Set(parts(g).map((n) => `${n.family}(...)`))].join(', ');

/** logp, p (marginals, conditionals), posterior, sample, mean: what the circuit passes answer through the parts' hooks. */
export const PARTS_FORMS: readonly string[] = ['logp', 'p', 'posterior', 'sample', 'mean'];

export function partsRefusals(g: IRGraph): Record<string, string> {
  return { mode: `mode(...) is not available for a model with a ${partNames(g)} part (a KDE part has no closed-form mode in a mixture); it answers logp, p, posterior, sample and mean` };
}

/** Only full-batch EM in memory: a KDE part refits from every row's responsibility. */
export function partsMethodProblem(g: IRGraph, settings: FitSettings, names: { readonly model: string; readonly data: string }): { message: string; hint?: string } | undefined {
  const what = `${names.model} has a ${partNames(g)} part`;
  const hint = `fit ${names.model} on ${names.data}`;
  if (settings.method !== 'em') return { message: `${what}: it is fitted by EM (the part is refitted from the responsibilities), not by ${settings.method}`, hint };
  if ((settings.batch ?? 0) > 0 || (settings.validation ?? 0) > 0) return { message: `${what}: it is fitted by full-batch EM on every row (no batch or validation)`, hint };
  if (settings.stream) return { message: `${what}: its part stores the rows, so it cannot be fitted by streaming EM`, hint };
  return undefined;
}

export function partsQuery(state: ModelState, q: BoundQuery): QueryAnswer {
  if (q.kind === 'density' && q.intervals.length) throw queryError(q, `interval probabilities are not available for a model with a ${partNames(state.graph)} part; ask logp/p of values, marginals or conditionals`, q.span, 'unsupported-query');
  if (q.kind === 'mode') throw queryError(q, partsRefusals(state.graph).mode!, q.span, 'unsupported-query');
  try {
    return runQuery(state, q, { circuit: true });
  } catch (e) {
    // a part's own refusal (e.g. the conditional of a radial non-gaussian kernel) is this query's
    if (e instanceof PmixError) throw queryError(q, e.message, q.span, 'unsupported-query');
    throw e;
  }
}

export function checkParts(graph: IRGraph, fail: GraphFail): void {
  graph.nodes.forEach((n, i) => {
    if (n.kind !== 'family') return;
    if (n.id === graph.root) fail(`ir.nodes[${i}]`, `a ${n.family} node stands alone in a graph of its own family, not at the root of a mixture`);
    let hooks;
    try {
      hooks = familyNodeHooks(n);
    } catch (e) {
      return fail(`ir.nodes[${i}].family`, (e as Error).message);
    }
    hooks.checkNode(graph, n, `ir.nodes[${i}]`, fail);
  });
}
