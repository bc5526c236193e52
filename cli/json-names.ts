// The names in every --json output: snake_case throughout (as the fit summary's
// mean_log_likelihood), whatever the in-memory objects call them; components and
// mixture parts numbered from 1, as the text output numbers them. docs/json.md is the schema.
import type { QueryAnswer } from '../runtime/queries/answer.js';

/**
 * Keys whose values are records keyed by the user's names (variables, levels, kernel parameters): kept as written.
 * `y`: a GP's summary of its output, whose class probabilities are named p_LEVEL after the label's levels.
 */
const NAME_KEYED = new Set(['point', 'probs', 'hyperparameters', 'y']);

export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A plain value with every object key in snake_case, except inside records keyed by user names. */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [snakeCase(k), NAME_KEYED.has(k) && !Array.isArray(x) ? x : snakeKeys(x)]));
}

/**
 * A query answer as --json writes it: a log density carries `log_value` only (never a `value`
 * that holds a log); a probability or density carries `value` and `log_value`; the most probable
 * component (`best`) is numbered from 1, as "component 1" in the text.
 */
export function answerJson(a: QueryAnswer): Record<string, unknown> {
  const out = snakeKeys(a) as Record<string, unknown>;
  if (a.kind === 'density' && a.log) delete out.value;
  if (a.kind === 'posterior') out.best = a.best + 1;
  return out;
}
