// A progress bar for fits on an interactive terminal (stderr); silent otherwise, so piped
// output and --json stay clean.
import cliProgress from 'cli-progress';
import type { FitProgress } from '../runtime/learners/types.js';

export function fitProgressBar(label: string, enabled: boolean): { update(p: FitProgress): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} iterations | restart {restart}/{restarts} | mean log-lik {ll}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let restart = 0;
  return {
    update(p) {
      if (!started || p.restart !== restart) {
        if (started) bar.stop();
        bar.start(p.maxIter, 0, { restart: p.restart, restarts: p.restarts, ll: '-' });
        started = true;
        restart = p.restart;
      }
      bar.update(p.iteration, { restart: p.restart, restarts: p.restarts, ll: p.meanLogLikelihood.toFixed(4) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
