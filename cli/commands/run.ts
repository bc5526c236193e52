// pmix run FILE.pmix: executes the file's fits (with a progress bar) and queries in order,
// printing a summary of each fit and each query's answer (or one JSON object with --json).
import { Session } from '../../runtime/session.js';
import type { QueryAnswer } from '../../runtime/queries/answer.js';
import type { FitSummary } from '../../runtime/session.js';
import { formatAnswer, formatFit } from '../format.js';
import { guard } from '../guard.js';
import { fail, type Output } from '../io.js';
import { loadProgram } from '../load.js';
import { fitProgressBar } from '../progress.js';

export function runCommand(file: string, io: Output, overrides: Record<string, string>, progress: boolean): void {
  const { program, sources } = loadProgram(file, io, { dataOverrides: overrides });
  const session = new Session(program);
  const diags = session.check();
  if (diags.length) fail(diags, sources, io);
  const fits: FitSummary[] = [];
  const queries: { model: string; query: string; answer: QueryAnswer }[] = [];
  for (const step of program.steps) {
    if (step.kind === 'fit') {
      const bar = fitProgressBar(`fit ${step.model}`, progress && !io.json);
      const summary = guard(() => {
        try {
          return session.fit(step, (p) => bar.update(p));
        } finally {
          bar.stop();
        }
      }, sources, io);
      fits.push(summary);
      if (!io.json) io.out(formatFit(summary));
    } else {
      const answer = guard(() => session.query(step.model, step.query), sources, io);
      queries.push({ model: step.model, query: step.text, answer });
      if (!io.json) io.out(`query ${step.model}: ${step.text}\n${formatAnswer(answer)}`);
    }
  }
  if (io.json) io.out(JSON.stringify({ ok: true, fits, queries }));
}
