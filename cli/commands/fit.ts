// pmix fit FILE.pmix --out MODEL.json: runs one fit statement of the file and writes the
// fitted model as an artifact (atomically: a complete file or none). Ctrl-C or SIGTERM stops
// the fit; with --checkpoint the best parameters so far are written (also every few seconds
// while it runs), marked as interrupted; without it nothing is written.
import { serializeArtifact } from '../../runtime/artifact.js';
import type { FitCheckpoint } from '../../runtime/learners/types.js';
import { Session } from '../../session/session.js';
import { formatFit } from '../../api/index.js';
import { guardAsync } from '../guard.js';
import { catchInterrupts, SIGNAL_EXIT } from '../interrupt.js';
import { EXIT_INPUT, Exit, fail, jsonText, writeAtomic, type Output } from '../io.js';
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
  const session = new Session(program, { maxMemory: opts.maxMemory });
  const diags = session.check();
  if (diags.length) fail(diags, sources, io);
  const step = opts.seed === undefined ? last : { ...last, settings: { ...last.settings, seed: opts.seed } };
  const bar = fitProgressBar(`fit ${step.model}`, progress && !io.json);
  const save = (c: FitCheckpoint): void => {
    const a = session.checkpointArtifact(step, c);
    if (a) writeAtomic(opts.out, serializeArtifact(a));
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
    if (wrote) writeAtomic(opts.out, serializeArtifact(session.artifact(step.model)));
    const what = wrote
      ? `wrote the best parameters so far (iteration ${summary.iterations}) to ${opts.out}`
      : opts.checkpoint
        ? 'interrupted before the first iteration: nothing written'
        : 'nothing written (use --checkpoint to keep the best parameters so far)';
    if (io.json) io.out(jsonText({ ok: false, interrupted: true, fit: summary, ...(wrote ? { out: opts.out } : {}) }));
    io.err(`fit ${step.model} interrupted: ${what}`);
    return;
  }
  writeAtomic(opts.out, serializeArtifact(session.artifact(step.model)));
  if (io.json) io.out(jsonText({ ok: true, fit: summary, out: opts.out }));
  else io.out(`${formatFit(summary)}\nwrote ${opts.out}`);
}
