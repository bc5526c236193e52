// pmix plot MODEL.json --out FILE.svg [--from A --to B]: an SVG of a fitted one-input GP
// (data, posterior mean, 95% band), written atomically.
import { EXIT_INPUT, Exit, type Output } from '../io.js';
import { checkOutPath, writeAtomic } from '../out-path.js';
import { loadArtifact } from '../load.js';
import { familyOf } from '../../families/index.js';

export function plotCommand(modelPath: string, opts: { out: string; from?: number; to?: number; force?: boolean }, io: Output): void {
  const outPath = checkOutPath(opts.out, { inputs: [modelPath], force: opts.force }, io);
  const { state } = loadArtifact(modelPath, io);
  const plot = familyOf(state.graph).plot;
  if (!plot?.accepts(state.graph)) {
    io.err(`error: ${modelPath}: pmix plot draws Gaussian process models with one input, and GP classifiers (bernoulli) with two (for densities use :plot in pmix repl)`);
    throw new Exit(EXIT_INPUT);
  }
  if ((opts.from === undefined) !== (opts.to === undefined) || (opts.from !== undefined && !(opts.from < opts.to!))) {
    io.err('error: give both --from and --to, with --from < --to');
    throw new Exit(EXIT_INPUT);
  }
  const svg = plot.svg(state, opts.from !== undefined ? { span: [opts.from, opts.to!] } : {});
  writeAtomic(outPath, svg);
  io.out(`wrote ${opts.out}`);
}
