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
  | { readonly kind: 'mode'; readonly point: Readonly<Record<string, Cell>>; readonly logDensity: number; readonly method: string }
  | { readonly kind: 'mean'; readonly summary: readonly VariableSummary[] };
