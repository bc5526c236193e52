// How `pmix check` says a mixture of experts is fitted: by the methods of the program's fit
// statements for it (EM when none names one), so an Adam fit is not described as EM.
type Options = Readonly<Record<string, unknown>>;

function emPhrase(o: Options): string {
  const experts = o.expert === 'gp' ? 'weighted GPs' : o.expert === 'linear' ? 'experts by weighted least squares' : o.expert === 'leaf' ? 'experts by weighted Newton steps on their log densities' : 'experts by weighted IRLS';
  const gate = o.gate === 'gaussian' ? 'the gate in closed form' : 'the gate by Newton steps';
  return `EM (${experts}, ${gate})`;
}

const ADAM = 'Adam (gradient ascent on the conditional log-likelihood, the gradient through the responsibilities)';

export function fitPhrase(o: Options, methods: readonly string[] = []): string {
  const used = [...new Set(methods.length ? methods : ['em'])];
  return `fitted by ${used.map((m) => (m === 'em' ? emPhrase(o) : m === 'adam' ? ADAM : m)).join(' and by ')}`;
}
