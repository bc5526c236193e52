// The query forms the circuit-shaped families answer (each family lists its own), and what the
// binder says about the others.
import type { IRGraph } from '../../ir/types.js';

export const TRACTABLE_FORMS: readonly string[] = ['logp', 'p', 'posterior', 'sample', 'mode', 'mean'];

/** "a, b and c". */
export function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const rootIsMixing = (g: IRGraph): boolean => g.nodes.find((n) => n.id === g.root)?.kind === 'mixing';

/** The query hooks of mixtures, circuits and integral circuits. */
export const tractableQueries = {
  forms: TRACTABLE_FORMS,
  // posterior(...) asks for the root mixture's components: a model needs one at its root.
  formsOf: (g: IRGraph): readonly string[] => (rootIsMixing(g) ? TRACTABLE_FORMS : TRACTABLE_FORMS.filter((f) => f !== 'posterior')),
  refusals: (g: IRGraph): Record<string, string> => ({
    posterior: 'posterior needs a model whose outermost part is a mixture (its components are what posterior gives the probabilities of)',
    predict: `predict(...) is a query of Gaussian process models; this model answers ${andList(tractableQueries.formsOf(g))}`,
  }),
};
