// The words of a fit line after "fit M on D by METHOD:": how the fit stopped and after how long.
import type { FitSummary } from '../session/session.js';

export function stopPhrase(s: FitSummary): string {
  return (s.continued_from !== undefined ? `continued from ${s.continued_from}, ` : '') + howStopped(s);
}

function howStopped(s: FitSummary): string {
  if (s.method === 'incremental' && s.stop === 'max_iter') return incrementalPhrase(s);
  const unit = s.method === 'em' || s.method === 'lbfgs' ? 'iterations' : s.method === 'incremental' || s.method === 'online' ? 'passes' : 'epochs';
  const n = `${s.iterations} ${s.iterations === 1 ? (unit === 'passes' ? 'pass' : unit.slice(0, -1)) : unit}`;
  switch (s.stop) {
    case 'converged':
      return `converged after ${n}`;
    case 'max_iter':
      return `stopped at the limit after ${n} (${s.criterion})`;
    case 'early_stopping':
      return `early stopping after ${n} (kept epoch ${s.validation?.best_epoch ?? '?'}, the best on the held-out rows)`;
    case 'interrupted':
      return `interrupted after ${n} (the best parameters so far)`;
    case 'stalled':
      return `not converged after ${n} (${s.criterion})`;
    case 'nothing_to_fit':
      return `nothing to fit (${s.criterion})`;
  }
}

/** The incremental mixture's one pass: the components it kept, created, pruned and merged. */
function incrementalPhrase(s: FitSummary): string {
  const r = (s as { incremental?: { components: number; created: number; pruned: number; merged: number } }).incremental;
  if (!r) return 'one pass over the rows';
  return `one pass over the rows, ${r.components} component${r.components === 1 ? '' : 's'} kept (${r.created} created, ${r.pruned} pruned, ${r.merged} merged)`;
}
