// A compiled .pmix program in the embedding API: its diagnostics, its models, and a way to
// run its fits and queries as `pmix run` does.
import type { CompiledProgram } from '../compiler/program.js';
import type { Diagnostic } from '../language/index.js';
import type { Dataset } from '../runtime/data/dataset.js';
import type { FitProgress } from '../runtime/learners/types.js';
import type { QueryAnswer } from '../runtime/queries/answer.js';
import { Session, type FitSummary } from '../session/session.js';
import { PmixInputError } from './errors.js';
import { Model } from './model.js';
import { beforeFit, fitBackend } from './gpu.js';

export interface RunOptions {
  /** Called as each fit statement's learner advances (the model's name and where it is). */
  readonly onProgress?: (model: string, p: FitProgress) => void;
}

export class Program {
  private readonly session: Session;
  private readonly cache = new Map<string, Model>();

  /** @internal */
  constructor(
    readonly compiled: CompiledProgram,
    readonly diagnostics: readonly Diagnostic[],
    private readonly sources: ReadonlyMap<string, string>,
    data: ReadonlyMap<string, Dataset> = new Map(),
  ) {
    this.session = new Session(compiled);
    for (const [name, d] of data) this.session.provideData(name, d);
  }

  /** Names of the models the program declares. */
  get models(): string[] {
    return [...this.compiled.models.keys()];
  }

  model(name: string): Model {
    if (!this.compiled.models.has(name)) throw new PmixInputError([{ severity: 'error', code: 'unknown-name', message: `no model '${name}' (models: ${this.models.join(', ')})` }]);
    let m = this.cache.get(name);
    if (!m) this.cache.set(name, (m = new Model(name, this.session, undefined, this.sources)));
    return m;
  }

  /** Type-checks the program against its data (files, or CSV text given to compile) as `pmix check`; throws on problems. */
  check(): void {
    const diags = this.session.check();
    if (diags.length) throw new PmixInputError(diags, this.sources);
  }

  /** Runs the file's fits and queries in order, reading its data files (as `pmix run --json`). */
  run(opts: RunOptions = {}): { fits: FitSummary[]; queries: { model: string; query: string; answer: QueryAnswer }[] } {
    this.check();
    const fits: FitSummary[] = [];
    const queries: { model: string; query: string; answer: QueryAnswer }[] = [];
    for (const step of this.compiled.steps) {
      try {
        if (step.kind === 'fit') fits.push(this.session.fit(step, opts.onProgress && ((p) => opts.onProgress!(step.model, p))));
        else queries.push({ model: step.model, query: step.text, answer: this.session.query(step.model, step.query) });
      } catch (e) {
        const ds = (e as { diagnostics?: Diagnostic[] }).diagnostics;
        if (ds) throw new PmixInputError(ds, this.sources);
        throw e;
      }
    }
    return { fits, queries };
  }

  /**
   * The same, with the fits driven asynchronously: they yield to the event loop, and where
   * useWebGpu() found a device, circuit EM runs its E-steps there. `backends` says where each
   * fit ran ("webgpu (adapter)" or "cpu").
   */
  async runAsync(opts: RunOptions = {}): Promise<{ fits: FitSummary[]; queries: { model: string; query: string; answer: QueryAnswer }[]; backends: string[] }> {
    this.check();
    const fits: FitSummary[] = [];
    const backends: string[] = [];
    const queries: { model: string; query: string; answer: QueryAnswer }[] = [];
    for (const step of this.compiled.steps) {
      try {
        if (step.kind === 'fit') {
          beforeFit();
          fits.push(await this.session.fitAsync(step, { onProgress: opts.onProgress && ((p) => opts.onProgress!(step.model, p)) }));
          backends.push(fitBackend().text);
        } else queries.push({ model: step.model, query: step.text, answer: this.session.query(step.model, step.query) });
      } catch (e) {
        const ds = (e as { diagnostics?: Diagnostic[] }).diagnostics;
        if (ds) throw new PmixInputError(ds, this.sources);
        throw e;
      }
    }
    return { fits, queries, backends };
  }
}
