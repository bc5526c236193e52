// pmix plot MODEL.json --out FILE.svg|FILE.png [--from A --to B]: a picture of a fitted model
// that has one of its own kind (a one-input GP: data, mean and 95% band; a KDE: density and
// modes), written atomically; --from/--to set the x range (the frame is rescaled and clipped).
import { EXIT_INPUT, EXIT_USAGE, Exit, type Output } from '../io.js';
import { checkOutPath } from '../out-path.js';
import { loadArtifact } from '../load.js';
import { plotFormat, writePlot } from '../plot-file.js';
import { familyOf } from '../../families/index.js';

export async function plotCommand(modelPath: string, opts: { out: string; from?: number; to?: number; force?: boolean }, io: Output): Promise<void> {
  const format = plotFormat(opts.out);
  if (typeof format !== 'string') {
    io.err(`error: --out: ${format.error}`);
    throw new Exit(EXIT_USAGE);
  }
  const outPath = checkOutPath(opts.out, { inputs: [modelPath], force: opts.force }, io);
  const { state } = loadArtifact(modelPath, io);
  const plot = familyOf(state.graph).plot;
  if (!plot?.accepts(state.graph)) {
    io.err(`error: ${modelPath}: pmix plot draws Gaussian process models with one input, GP classifiers (bernoulli) with two, and kernel density models (for other densities use :plot in pmix repl)`);
    throw new Exit(EXIT_INPUT);
  }
  if ((opts.from === undefined) !== (opts.to === undefined) || (opts.from !== undefined && !(opts.from < opts.to!))) {
    io.err('error: give both --from and --to, with --from < --to');
    throw new Exit(EXIT_INPUT);
  }
  const svg = await plot.svg(state, opts.from !== undefined ? { span: [opts.from, opts.to!] } : {});
  try {
    await writePlot(outPath, svg);
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    throw new Exit(EXIT_INPUT);
  }
  io.out(`wrote ${opts.out}`);
}
