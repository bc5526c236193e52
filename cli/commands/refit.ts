// pmix fit --from MODEL.json --data ROWS.csv --out NEW.json [--by METHOD(...)]: fits a saved
// model again, starting from its parameters (a warm start, session/refit.ts), on new rows or
// the same ones; `--data -` reads the rows from stdin. The method is the artifact's own unless
// --by names one (online(...) continues by online EM over the rows as a stream, in bounded
// memory). Interrupts and checkpoints behave as for `pmix fit FILE.pmix`; --checkpoint-rows N
// (online EM) also saves after every N rows. The artifact is written atomically.
import { fitMethodFromText } from '../../compiler/fit-method-text.js';
import type { FitSettings } from '../../compiler/program.js';
import type { Diagnostic } from '../../language/index.js';
import { dirname, relative, resolve, sep } from 'node:path';
import type { ColumnSpec } from '../../compiler/data-spec.js';
import { formatFit } from '../../api/index.js';
import { makeArtifact, portableArtifact, serializeArtifact, type Artifact } from '../../runtime/artifact.js';
import { loadCsv } from '../../runtime/data/csv.js';
import { DataStreamError, openCsvStream } from '../../runtime/data/csv-stream.js';
import { runAsync } from '../../runtime/learners/drive.js';
import type { FitCheckpoint } from '../../runtime/learners/types.js';
import type { ModelState } from '../../runtime/state.js';
import { csvSource } from '../../runtime/stream-fit.js';
import { defaultRefitSettings, refitSteps, refitStreamSteps, type Refitted } from '../../session/refit.js';
import type { FitSummary } from '../../session/session.js';
import { guardAsync } from '../guard.js';
import { catchInterrupts, SIGNAL_EXIT } from '../interrupt.js';
import { EXIT_INPUT, EXIT_USAGE, Exit, fail, jsonText, type Output } from '../io.js';
import { loadArtifact } from '../load.js';
import { checkOutPath, writeAtomic } from '../out-path.js';
import { fitProgressBar } from '../progress.js';
import { spoolStdin } from '../stdin-spool.js';

export interface RefitOptions {
  readonly from: string;
  /** A CSV path, or '-' for stdin. */
  readonly data: string;
  readonly out: string;
  /** The method, as after `by` in a fit statement. */
  readonly by?: string;
  readonly weights?: string;
  readonly seed?: number;
  readonly checkpoint?: boolean;
  readonly checkpointEvery?: number;
  readonly checkpointRows?: number;
  readonly maxMemory?: number;
  readonly maxSeconds?: number;
  readonly force?: boolean;
  readonly created?: string;
}

export async function refitCommand(opts: RefitOptions, io: Output, progress: boolean): Promise<void> {
  const interrupts = catchInterrupts();
  try {
    await refit(opts, io, progress, interrupts.signal);
  } finally {
    interrupts.dispose();
  }
  const got = interrupts.received();
  if (got) throw new Exit(SIGNAL_EXIT[got]);
}

async function refit(opts: RefitOptions, io: Output, progress: boolean, signal: AbortSignal): Promise<void> {
  const { artifact, state } = loadArtifact(opts.from, io);
  const model = artifact.model;
  const stdin = opts.data === '-';
  const dataName = stdin ? 'stdin' : opts.data;
  let settings: FitSettings = defaultRefitSettings(state, artifact.provenance.fit, { model, data: dataName });
  if (opts.by !== undefined) {
    const parsed = fitMethodFromText(opts.by, '--by');
    if (!parsed.settings) {
      for (const m of parsed.messages) io.err(`error: ${m}`);
      throw new Exit(EXIT_USAGE);
    }
    settings = parsed.settings;
  }
  if (opts.seed !== undefined && settings.method !== 'incremental') settings = { ...settings, seed: opts.seed };
  if (opts.checkpointRows !== undefined && settings.method !== 'online') {
    io.err(`error: --checkpoint-rows counts the rows online EM has seen; ${settings.method} works in whole iterations (use --checkpoint-every SECONDS, or --by "online(...)")`);
    throw new Exit(EXIT_USAGE);
  }
  const outPath = checkOutPath(opts.out, { inputs: [opts.from, ...(stdin ? [] : [opts.data])], force: opts.force }, io);
  const path = stdin ? spoolStdin() : opts.data;
  const columns: ColumnSpec[] = state.graph.vars.map((v) => ({ name: v.name, type: v.type.kind === 'categorical' ? { kind: 'categorical', levels: v.type.levels } : { kind: v.type.kind } }));
  if (opts.weights !== undefined) columns.push({ name: opts.weights, type: { kind: 'real' } });
  const spec = { name: dataName, path, columns };
  const from = opts.from;
  // The artifact names its origin relative to its own directory, as it does its data (portableArtifact).
  const fromInArtifact = relative(dirname(resolve(outPath)), resolve(from)).split(sep).join('/');
  const priorRows = artifact.provenance.data?.rows;
  // Data problems name the CSV (or stdin) where the diagnostic has no file of its own.
  const dataFail: (ds: readonly Diagnostic[]) => never = (ds) => fail(ds.map((d) => ({ ...d, file: d.file ?? (stdin ? '<stdin>' : opts.data) })), new Map(), io);
  const bar = fitProgressBar(`fit ${model}`, progress && !io.json);
  const artifactOf = (st: ModelState, extra: Partial<Artifact['provenance']>): Artifact =>
    portableArtifact(makeArtifact(model, st.toArtifactGraph(), { ...(stdin ? {} : { data: { name: dataName, path: opts.data, rows: extra.data?.rows ?? 0 } }), fit: settings, continued_from: fromInArtifact, ...extra }), { artifactPath: outPath, created: opts.created });
  const save = (c: FitCheckpoint): void => {
    const b = c.best();
    if (b) writeAtomic(outPath, serializeArtifact(artifactOf(b.state, { mean_log_likelihood: b.meanLogLikelihood, checkpoint: { restart: c.restart, iteration: c.iteration } })));
  };
  const drive = {
    onProgress: (p: Parameters<typeof bar.update>[0]) => bar.update(p),
    signal,
    ...(opts.checkpoint || opts.checkpointRows ? { onCheckpoint: save } : {}),
    ...(opts.checkpoint ? { checkpointEveryMs: (opts.checkpointEvery ?? 30) * 1000 } : {}),
    ...(opts.checkpointRows ? { checkpointEveryRows: opts.checkpointRows } : {}),
  };
  const out: Refitted & { rows?: number } = await guardAsync(async () => {
    try {
      if (settings.method === 'online') {
        const { stream, diagnostics } = openCsvStream(spec);
        if (!stream) dataFail(diagnostics);
        const names = state.graph.vars.map((v) => v.name);
        return await runAsync(refitStreamSteps({ model, from, state, dataName, source: csvSource(stream, names, opts.weights), settings, ...(priorRows !== undefined ? { priorRows } : {}), onProgress: drive.onProgress, signal }), drive);
      }
      const { data, diagnostics } = loadCsv(spec);
      if (!data) dataFail(diagnostics);
      return await runAsync(refitSteps({ model, from, state, data, weights: opts.weights, settings, maxMemory: opts.maxMemory, maxSeconds: opts.maxSeconds, onProgress: drive.onProgress, signal }), drive);
    } catch (e) {
      if (e instanceof DataStreamError) dataFail(e.diagnostics);
      throw e;
    } finally {
      bar.stop();
    }
  }, new Map(), io);
  const summary: FitSummary = out.summary;
  const final = artifactOf(out.state, {
    data: stdin ? undefined : { name: dataName, path: opts.data, rows: summary.rows },
    mean_log_likelihood: summary.mean_log_likelihood,
    iterations: summary.iterations,
    converged: summary.converged,
    bic: summary.bic,
    aic: summary.aic,
    ...(summary.interrupted ? { interrupted: true } : {}),
  });
  if (signal.aborted) {
    // Online EM learns within a pass: its parameters are worth keeping before the first pass ends.
    const wrote = !!(opts.checkpoint || opts.checkpointRows) && (summary.iterations > 0 || settings.method === 'online');
    if (wrote) writeAtomic(outPath, serializeArtifact(final));
    const what = wrote ? `wrote the parameters so far to ${opts.out}` : 'nothing written (use --checkpoint to keep the parameters so far)';
    if (io.json) io.out(jsonText({ ok: false, interrupted: true, fit: summary, ...(wrote ? { out: opts.out } : {}) }));
    io.err(`fit ${model} interrupted: ${what}`);
    return;
  }
  if (summary.rows === 0) {
    io.err(`error: ${dataName}: no data rows to fit on`);
    throw new Exit(EXIT_INPUT);
  }
  writeAtomic(outPath, serializeArtifact(final));
  if (io.json) io.out(jsonText({ ok: true, fit: summary, out: opts.out }));
  else io.out(`${formatFit(summary)}\nwrote ${opts.out}`);
}
