// pmix run FILE.pmix: executes the file's fits (with a progress bar) and queries in order,
// printing a summary of each fit and each query's answer (or one JSON object with --json).
// Ctrl-C or SIGTERM stops a running fit and the run (exit 130 or 143).
import { answerJson } from '../json-names.js';
import { Session } from '../../session/session.js';
import type { FitSummary } from '../../session/session.js';
import { formatAnswer, formatFit } from '../../api/index.js';
import { guard, guardAsync } from '../guard.js';
import { catchInterrupts, SIGNAL_EXIT } from '../interrupt.js';
import { Exit, fail, jsonText, type Output } from '../io.js';
import { loadProgram } from '../load.js';
import { fitProgressBar } from '../progress.js';

export interface RunOptions {
  /** Refuse fits whose memory estimate exceeds this many bytes. */
  readonly maxMemory?: number;
  /** The time limit of fits in seconds (exact GPs); undefined: the default. */
  readonly maxSeconds?: number;
}

export async function runCommand(file: string, io: Output, overrides: Record<string, string>, progress: boolean, opts: RunOptions = {}): Promise<void> {
  const interrupts = catchInterrupts();
  try {
    await run(file, io, overrides, progress, opts, interrupts.signal);
  } finally {
    interrupts.dispose();
  }
  const got = interrupts.received();
  if (got) {
    io.err(`pmix run interrupted (${got})`);
    throw new Exit(SIGNAL_EXIT[got]);
  }
}

async function run(file: string, io: Output, overrides: Record<string, string>, progress: boolean, opts: RunOptions, signal: AbortSignal): Promise<void> {
  const { program, sources } = loadProgram(file, io, { dataOverrides: overrides });
  const session = new Session(program, { maxMemory: opts.maxMemory, maxSeconds: opts.maxSeconds });
  const diags = session.check();
  if (diags.length) fail(diags, sources, io);
  const fits: FitSummary[] = [];
  const queries: { model: string; query: string; answer: Record<string, unknown> }[] = [];
  for (const step of program.steps) {
    if (signal.aborted) return;
    if (step.kind === 'fit') {
      const bar = fitProgressBar(`fit ${step.model}`, progress && !io.json);
      const summary = await guardAsync(async () => {
        try {
          return await session.fitAsync(step, { onProgress: (p) => bar.update(p), signal });
        } finally {
          bar.stop();
        }
      }, sources, io);
      if (signal.aborted) return;
      fits.push(summary);
      if (!io.json) io.out(formatFit(summary));
    } else {
      const answer = guard(() => session.query(step.model, step.query), sources, io);
      queries.push({ model: step.model, query: step.text, answer: answerJson(answer) });
      if (!io.json) io.out(`query ${step.model}: ${step.text}\n${formatAnswer(answer)}`);
    }
  }
  if (io.json) io.out(jsonText({ ok: true, fits, queries }));
}
