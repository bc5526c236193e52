// Messages between the page and the fit worker.

export type ToWorker =
  | { readonly type: 'run'; readonly source: string; readonly csv: Readonly<Record<string, string>>; readonly plot?: readonly [string, string] }
  | { readonly type: 'plot'; readonly x: string; readonly y: string };

export interface FitNumbers {
  readonly meanLogLikelihood: number;
  readonly bic: number;
  readonly iterations: number;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly model: string; readonly fraction: number; readonly text: string }
  | {
      readonly type: 'done';
      readonly summary: string;
      readonly answers: string;
      readonly first?: FitNumbers;
      readonly ms: number;
      /** The plot's variables (numeric ones) and the initial choice; none when nothing was fitted. */
      readonly variables: readonly string[];
      readonly choice?: readonly [string, string];
      readonly ownPicture: boolean;
      readonly svg?: string;
      readonly plotError?: string;
      /** Where the first fit ran: "webgpu (adapter)" or "cpu". */
      readonly backend: string;
      readonly backendNote?: string;
    }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'plotted'; readonly svg?: string; readonly error?: string };
