// pmix fit FILE.pmix --out MODEL.json: runs one fit statement of the file and writes the
// fitted model as an artifact (atomically: a complete file or none).
import { serializeArtifact } from '../../runtime/artifact.js';
import { Session } from '../../runtime/session.js';
import { formatFit } from '../format.js';
import { guard } from '../guard.js';
import { EXIT_INPUT, Exit, fail, writeAtomic, type Output } from '../io.js';
import { loadProgram } from '../load.js';
import { fitProgressBar } from '../progress.js';

export interface FitOptions {
  readonly model?: string;
  readonly out: string;
  readonly seed?: number;
}

export function fitCommand(file: string, opts: FitOptions, io: Output, overrides: Record<string, string>, progress: boolean): void {
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
  const step = chosen[chosen.length - 1]!;
  const session = new Session(program);
  const diags = session.check();
  if (diags.length) fail(diags, sources, io);
  const settings = opts.seed === undefined ? step.settings : { ...step.settings, seed: opts.seed };
  const bar = fitProgressBar(`fit ${step.model}`, progress && !io.json);
  const summary = guard(() => {
    try {
      return session.fit({ ...step, settings }, (p) => bar.update(p));
    } finally {
      bar.stop();
    }
  }, sources, io);
  writeAtomic(opts.out, serializeArtifact(session.artifact(step.model)));
  if (io.json) io.out(JSON.stringify({ ok: true, fit: summary, out: opts.out }));
  else io.out(`${formatFit(summary)}\nwrote ${opts.out}`);
}
