// pmix fit FILE.pmix --out MODEL.json: runs one fit statement of the file and writes the
// fitted model as an artifact (atomically: a complete file or none). Ctrl-C or SIGTERM stops
// the fit; with --checkpoint the best parameters so far are written (also every few seconds
// while it runs), marked as interrupted; without it nothing is written.
import { portableArtifact, serializeArtifact, type Artifact } from '../../runtime/artifact.js';
import type { FitCheckpoint } from '../../runtime/learners/types.js';
import { Session } from '../../session/session.js';
import { formatFit } from '../../api/index.js';
import { guardAsync } from '../guard.js';
import { catchInterrupts, SIGNAL_EXIT } from '../interrupt.js';
import { EXIT_INPUT, EXIT_USAGE, Exit, fail, jsonText, type Output } from '../io.js';
import { checkOutPath, writeAtomic } from '../out-path.js';
import { loadProgram } from '../load.js';
import { fitProgressBar } from '../progress.js';

export interface FitOptions {
  readonly model?: string;
  readonly out: string;
  readonly seed?: number;
  /** Write the best parameters so far on interruption and every checkpointEvery seconds. */
  readonly checkpoint?: boolean;
  readonly checkpointEvery?: number;
  /** Refuse fits whose memory estimate exceeds this many bytes. */
  readonly maxMemory?: number;
  /** The time limit of fits in seconds (exact GPs); undefined: the default. */
  readonly maxSeconds?: number;
  /** Write over an input of the run or through a symbolic link (cli/out-path.ts). */
  readonly force?: boolean;
  /** Reproducible artifact: provenance.created from SOURCE_DATE_EPOCH, else the epoch (runtime/artifact.ts). */
  readonly reproducible?: boolean;
}

export async function fitCommand(file: string, opts: FitOptions, io: Output, overrides: Record<string, string>, progress: boolean): Promise<void> {
  const interrupts = catchInterrupts();
  try {
    await fit(file, opts, io, overrides, progress, interrupts.signal);
  } finally {
    interrupts.dispose();
  }
  const got = interrupts.received();
  if (got) throw new Exit(SIGNAL_EXIT[got]);
}

async function fit(file: string, opts: FitOptions, io: Output, overrides: Record<string, string>, progress: boolean, signal: AbortSignal): Promise<void> {
  const { program, sources } = loadProgram(file, io, { dataOverrides: overrides });
  const fits = program.steps.filter((s) => s.kind === 'fit');
  const chosen = opts.model ? fits.filter((s) => s.model === opts.model) : fits;
  if (chosen.length === 0) {
    const why = opts.model
      ? program.models.has(opts.model)
        ? `the file has no fit statement for model '${opts.model}'`
        : `the file has no model '${opts.model}' (models: ${[...program.models.keys()].join(', ')})`
      : 'the file has no fit statement';
    io.err(`error: ${file}: ${why}`);
    throw new Exit(EXIT_INPUT);
  }
  const models = new Set(chosen.map((s) => s.model));
  if (models.size > 1) {
    io.err(`error: ${file} fits several models (${[...models].join(', ')}): choose one with --model`);
    throw new Exit(EXIT_INPUT);
  }
  const last = chosen[chosen.length - 1]!;
  // Checked before the fit: a bad --out found after minutes of fitting loses the work.
  const inputs = [file, ...[...program.data.values()].map((d) => d.path)];
  const outPath = checkOutPath(opts.out, { inputs, force: opts.force }, io);
  const created = creationTime(opts.reproducible, io);
  const session = new Session(program, { maxMemory: opts.maxMemory, maxSeconds: opts.maxSeconds });
  const diags = session.check();
  if (diags.length) fail(diags, sources, io);
  const step = opts.seed === undefined ? last : { ...last, settings: { ...last.settings, seed: opts.seed } };
  const finish = (a: Artifact): Artifact => portableArtifact(a, { artifactPath: outPath, created });
  const bar = fitProgressBar(`fit ${step.model}`, progress && !io.json);
  const save = (c: FitCheckpoint): void => {
    const a = session.checkpointArtifact(step, c);
    if (a) writeAtomic(outPath, serializeArtifact(finish(a)));
  };
  const summary = await guardAsync(async () => {
    try {
      return await session.fitAsync(step, {
        onProgress: (p) => bar.update(p),
        signal,
        ...(opts.checkpoint ? { onCheckpoint: save, checkpointEveryMs: (opts.checkpointEvery ?? 30) * 1000 } : {}),
      });
    } finally {
      bar.stop();
    }
  }, sources, io);
  if (signal.aborted) {
    // Interrupted: a complete file only with --checkpoint, and only once an iteration has run.
    const wrote = !!opts.checkpoint && summary.iterations > 0;
    if (wrote) writeAtomic(outPath, serializeArtifact(finish(session.artifact(step.model))));
    const what = wrote
      ? `wrote the best parameters so far (iteration ${summary.iterations}) to ${opts.out}`
      : opts.checkpoint
        ? 'interrupted before the first iteration: nothing written'
        : 'nothing written (use --checkpoint to keep the best parameters so far)';
    if (io.json) io.out(jsonText({ ok: false, interrupted: true, fit: summary, ...(wrote ? { out: opts.out } : {}) }));
    io.err(`fit ${step.model} interrupted: ${what}`);
    return;
  }
  writeAtomic(outPath, serializeArtifact(finish(session.artifact(step.model))));
  if (io.json) io.out(jsonText({ ok: true, fit: summary, out: opts.out }));
  else io.out(`${formatFit(summary)}\nwrote ${opts.out}`);
}

/**
 * provenance.created: the time given by SOURCE_DATE_EPOCH (seconds, as reproducible-build tools
 * set it) when set, else the epoch with --reproducible, else now. A bad SOURCE_DATE_EPOCH is a
 * usage error, not silently ignored.
 */
export function creationTime(reproducible: boolean | undefined, io: Output): string | undefined {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    const t = /^\d{1,12}$/.test(env) ? Number(env) * 1000 : NaN;
    if (!(t <= 8.64e15)) {
      io.err(`error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, got '${env.length > 40 ? env.slice(0, 40) + '...' : env}'`);
      throw new Exit(EXIT_USAGE);
    }
    return new Date(t).toISOString();
  }
  return reproducible ? new Date(0).toISOString() : undefined;
}
