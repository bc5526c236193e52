// The fit summary's account of an incremental fit (`incremental` in the summary and its JSON).
import type { IncrementalFitted } from './learner.js';

export function incrementalDetails(f: IncrementalFitted): Readonly<Record<string, unknown>> {
  const r = f.report;
  const k = f.state.graph.nodes.find((n) => n.kind === 'input')?.units ?? 0;
  return {
    incremental: { components: k, created: r.created, pruned: r.pruned, merged: r.merged, drift_checks: r.driftChecks, refactorizations: r.refactorizations, max_drift: r.maxDrift },
  };
}
