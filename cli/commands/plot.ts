// pmix plot MODEL.json --out FILE.svg [--from A --to B]: an SVG of a fitted one-input GP
// (data, posterior mean, 95% band), written atomically.
import { EXIT_INPUT, Exit, type Output } from '../io.js';
import { checkOutPath, writeAtomic } from '../out-path.js';
import { loadArtifact } from '../load.js';
import { plotGp } from '../repl/plot-gp.js';

export function plotCommand(modelPath: string, opts: { out: string; from?: number; to?: number; force?: boolean }, io: Output): void {
  const outPath = checkOutPath(opts.out, { inputs: [modelPath], force: opts.force }, io);
  const { state } = loadArtifact(modelPath, io);
  const gp = state.graph.nodes.find((n) => n.kind === 'gp');
  if (!gp || gp.kind !== 'gp' || gp.inputs.length !== 1) {
    io.err(`error: ${modelPath}: pmix plot draws Gaussian process models with one input (for densities use :plot in pmix repl)`);
    throw new Exit(EXIT_INPUT);
  }
  if ((opts.from === undefined) !== (opts.to === undefined) || (opts.from !== undefined && !(opts.from < opts.to!))) {
    io.err('error: give both --from and --to, with --from < --to');
    throw new Exit(EXIT_INPUT);
  }
  const svg = plotGp(state, opts.from !== undefined ? { span: [opts.from, opts.to!] } : {});
  writeAtomic(outPath, svg);
  io.out(`wrote ${opts.out}`);
}
