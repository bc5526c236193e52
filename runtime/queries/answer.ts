// Answers of queries: plain data (JSON for --json), rendered to text by the CLI.
export type Cell = number | string | boolean | null;

export interface VariableSummary {
  readonly name: string;
  /** real/int variables */
  readonly mean?: number;
  readonly sd?: number;
  /** categorical/bool variables: probability of each level */
  readonly probs?: Readonly<Record<string, number>>;
}

export interface ComponentSummary {
  readonly weight: number;
  readonly mean: readonly number[];
  readonly sd: readonly number[];
}

export type QueryAnswer =
  | { readonly kind: 'density'; readonly log: boolean; readonly value: number; readonly logValue: number; readonly conditional: boolean }
  | { readonly kind: 'distribution'; readonly vars: readonly string[]; readonly summary: readonly VariableSummary[]; readonly components?: readonly ComponentSummary[]; readonly logEvidence?: number }
  | { readonly kind: 'posterior'; readonly probs: readonly number[]; readonly best: number }
  | { readonly kind: 'sample'; readonly columns: readonly string[]; readonly rows: readonly (readonly Cell[])[] }
  /** exact: present for circuits answered by max-product; true when the circuit is deterministic (a true MPE). */
  | { readonly kind: 'mode'; readonly point: Readonly<Record<string, Cell>>; readonly logDensity: number; readonly method: string; readonly exact?: boolean }
  | { readonly kind: 'mean'; readonly summary: readonly VariableSummary[] }
  /** A GP's predictions (runtime/gp/query.ts): one row per input point (and task). */
  | { readonly kind: 'predict'; readonly inputs: readonly string[]; readonly rows: readonly PredictRow[]; readonly samples?: readonly (readonly number[])[]; readonly note?: string };

/**
 * One predicted point: its inputs, the output predicted, the latent mean and sd, the 95% interval
 * of the latent function (mean -/+ 1.96 sd), and the sd of a new observation.
 */
export interface PredictRow {
  readonly x: readonly number[];
  readonly output: string;
  readonly mean: number;
  readonly sd: number;
  readonly lower95: number;
  readonly upper95: number;
  readonly sd_y: number;
  /** A non-Gaussian likelihood's summary of y: `p` (bernoulli), or `y_mean`, `y_lower95`, `y_median`, `y_upper95`. */
  readonly y?: Readonly<Record<string, number>>;
}
