// The query forms each family answers, in one place: the binder checks a query against them
// (so `pmix check` refuses posterior(...) on a GP before anything is fitted), and the
// refusals say why. The family registry (issue 14) takes this over, one entry per family.
import type { AnswerableForms } from '../../ir/query.js';
import type { IRGraph } from '../../ir/types.js';

const MIXTURE_FORMS = ['logp', 'p', 'posterior', 'sample', 'mode', 'mean'];
const GP_FORMS = ['predict', 'p', 'mean', 'logp'];
const WHAT: Partial<Record<IRGraph['family'], string>> = { mixture: 'a mixture model', circuit: 'a circuit', integral: 'an integral circuit' };

export function answerableForms(graph: IRGraph): AnswerableForms {
  const list = (forms: readonly string[]): string => `${forms.slice(0, -1).join(', ')} and ${forms[forms.length - 1]}`;
  switch (graph.family) {
    case 'gp': {
      const gp = graph.nodes.find((n) => n.kind === 'gp');
      const roles = gp?.kind === 'gp' ? { inputs: gp.inputs, outputs: gp.outputs ?? [gp.output] } : { inputs: [], outputs: [] };
      const inputs = roles.inputs.map((i) => `${graph.vars[i]?.name} = ...`).join(', ');
      const refusal = (form: string): string => `a GP answers predict(...), p(y | x = ...), mean(y | x = ...) and logp(y = ... | x = ...), not ${form}(...); e.g. predict(${inputs})`;
      return { forms: GP_FORMS, what: 'a Gaussian process', roles, refusals: { posterior: refusal('posterior'), sample: refusal('sample'), mode: refusal('mode') } };
    }
    case 'squared': {
      const forms = ['logp', 'p', 'sample', 'mode', 'mean'];
      return {
        forms,
        what: 'a squared circuit',
        refusals: {
          posterior: 'posterior queries of squared circuits are not available yet (their components have signed weights); use sample(n) and summarize the draws',
          predict: `predict(...) is a query of Gaussian process models; a squared circuit answers ${list(forms)}`,
        },
      };
    }
    default: {
      // posterior(...) asks for the root mixture's components: a model needs one at its root.
      const root = graph.nodes.find((n) => n.id === graph.root);
      const forms = root?.kind === 'mixing' ? MIXTURE_FORMS : MIXTURE_FORMS.filter((f) => f !== 'posterior');
      return {
        forms,
        what: WHAT[graph.family] ?? 'this model',
        refusals: {
          posterior: 'posterior needs a model whose outermost part is a mixture (its components are what posterior gives the probabilities of)',
          predict: `predict(...) is a query of Gaussian process models; this model answers ${list(forms)}`,
        },
      };
    }
  }
}
