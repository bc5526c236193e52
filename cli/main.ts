#!/usr/bin/env node
// The `pmix` command. Exit codes: 0 success, 1 the input was wrong (diagnostics printed),
// 2 bad command-line usage; anything else is a bug (its stack is shown with --debug).
// Each command's modules are imported by its action when it runs (command modules, the
// compiler, the runtime, csv, plot...), so `pmix --version` and `pmix --help` load only
// commander (docs/performance.md, "CLI start-up").
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT_INPUT, EXIT_USAGE, Exit, stdio, type Output } from './exit.js';
import { PMIX_VERSION } from '../platform/version.js';

const BACKEND_HELP = 'where EM runs: auto, cpu or webgpu (default: auto, or PMIX_BACKEND; docs/gpu.md)';
import { endQuietlyOnClosedPipe } from './pipe.js';

/** What most commands need besides their own module: --data overrides and the fit limits. */
async function common() {
  const [{ dataOverrides }, { memoryLimit, timeLimit }] = await Promise.all([import('./load.js'), import('./limits.js')]);
  return { dataOverrides, memoryLimit, timeLimit };
}

endQuietlyOnClosedPipe();

const debug = process.argv.includes('--debug');
// The installed CLI is a bundle (scripts/bundle-cli.mjs): its source maps give --debug's stack
// traces the .ts files and lines (for the chunks loaded from here on, i.e. every command).
if (debug) process.setSourceMapsEnabled(true);

function io(opts: { json?: boolean }): Output {
  return { ...stdio, json: !!opts.json };
}

function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

const POINTS_HELP = 'integral circuits: quadrature points per latent (default: the model\'s eval_points)';

function seconds(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('--checkpoint-every must be a number of seconds > 0');
  return n;
}

const program = new Command('pmix')
  .description('pmix: a probabilistic programming language for tractable models')
  .version(PMIX_VERSION)
  .option('--debug', 'show stack traces of internal errors')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command('check')
  .description('parse and type-check a .pmix file against its data (nothing is fitted)')
  .argument('<file>', 'the .pmix file')
  .option('--data <NAME=PATH...>', 'use another CSV file for a data set')
  .option('--json', 'print one JSON object')
  .option('--cost', "print each fit's memory estimate: parameters, bytes per row, total for the data set's rows (exact GPs: also time)")
  .option('--max-memory <SIZE>', 'the memory limit fits are checked against (default: PMIX_MAX_MEMORY or half the machine memory)')
  .option('--max-time <SECONDS>', 'refuse fits estimated to take longer (exact GPs), e.g. 600, 10m, 2h or none (default: PMIX_MAX_TIME or an hour)')
  .action(async (file: string, o: { data?: string[]; json?: boolean; cost?: boolean; maxMemory?: string; maxTime?: string }) => {
    const out = io(o);
    const [{ checkCommand }, { dataOverrides, memoryLimit, timeLimit }] = await Promise.all([import('./commands/check.js'), common()]);
    checkCommand(file, out, dataOverrides(o.data, out), { cost: o.cost, maxMemory: memoryLimit(o.maxMemory, out), maxSeconds: timeLimit(o.maxTime, out) });
  });

program
  .command('run')
  .description("run a .pmix file: its fits (with a progress bar) and queries, in order")
  .argument('<file>', 'the .pmix file')
  .option('--data <NAME=PATH...>', 'use another CSV file for a data set')
  .option('--no-progress', 'no progress bar')
  .option('--json', 'print one JSON object: every fit summary and every query answer')
  .option('--max-memory <SIZE>', 'refuse fits estimated to need more, e.g. 8GB (default: PMIX_MAX_MEMORY or half the machine memory)')
  .option('--max-time <SECONDS>', 'refuse fits estimated to take longer (exact GPs), e.g. 600, 10m, 2h or none (default: PMIX_MAX_TIME or an hour)')
  .option('--backend <NAME>', BACKEND_HELP)
  .action(async (file: string, o: { data?: string[]; json?: boolean; progress: boolean; maxMemory?: string; maxTime?: string }) => {
    const out = io(o);
    const [{ runCommand }, { dataOverrides, memoryLimit, timeLimit }] = await Promise.all([import('./commands/run.js'), common()]);
    return runCommand(file, out, dataOverrides(o.data, out), o.progress, { maxMemory: memoryLimit(o.maxMemory, out), maxSeconds: timeLimit(o.maxTime, out) });
  });

program
  .command('fit')
  .description('fit a model of a .pmix file and write it as a JSON artifact; or, with --from, fit a saved model again starting from its parameters')
  .argument('[file]', 'the .pmix file (not with --from)')
  .option('--from <MODEL.json>', 'continue from a saved model: fit it again on --data PATH.csv (or - for stdin), starting from its parameters')
  .option('--by <METHOD>', 'with --from: the fit method as in a fit statement, e.g. "online(batch = 256, alpha = 0.6)" (default: the artifact\'s own)')
  .option('--weights <COLUMN>', 'with --from: a column of per-row sample weights')
  .option('--checkpoint-rows <N>', 'online EM: also save the parameters so far to --out after every N rows', int('--checkpoint-rows', 1))
  .requiredOption('--out <MODEL.json>', 'where to write the fitted model')
  .option('--model <NAME>', 'which model to fit (when the file fits several)')
  .option('--data <NAME=PATH...>', 'use another CSV file for a data set')
  .option('--seed <N>', 'random seed (overrides the file)', int('--seed', 0))
  .option('--no-progress', 'no progress bar')
  .option('--json', 'print the fit summary as JSON')
  .option('--checkpoint', 'on Ctrl-C/SIGTERM write the best parameters so far to --out, and save them there periodically')
  .option('--checkpoint-every <SECONDS>', 'how often --checkpoint saves (default 30)', seconds)
  .option('--max-memory <SIZE>', 'refuse fits estimated to need more, e.g. 8GB (default: PMIX_MAX_MEMORY or half the machine memory)')
  .option('--max-time <SECONDS>', 'refuse fits estimated to take longer (exact GPs), e.g. 600, 10m, 2h or none (default: PMIX_MAX_TIME or an hour)')
  .option('--force', 'write --out over an input of this run, or through a symbolic link to its target')
  .option('--reproducible', 'identical fits write identical bytes: provenance.created is SOURCE_DATE_EPOCH if set, else 1970-01-01')
  .option('--backend <NAME>', BACKEND_HELP)
  .action(
    async (
      file: string | undefined,
      o: { out: string; model?: string; data?: string[]; seed?: number; json?: boolean; progress: boolean; checkpoint?: boolean; checkpointEvery?: number; maxMemory?: string; maxTime?: string; force?: boolean; reproducible?: boolean; from?: string; by?: string; weights?: string; checkpointRows?: number },
    ) => {
      const out = io(o);
      if (o.from !== undefined || file === undefined) return refitFrom(file, o, out);
      const [{ fitCommand }, { dataOverrides, memoryLimit, timeLimit }] = await Promise.all([import('./commands/fit.js'), common()]);
      const opts = { out: o.out, model: o.model, seed: o.seed, checkpoint: o.checkpoint, checkpointEvery: o.checkpointEvery, maxMemory: memoryLimit(o.maxMemory, out), maxSeconds: timeLimit(o.maxTime, out), force: o.force, reproducible: o.reproducible };
      return fitCommand(file, opts, out, dataOverrides(o.data, out), o.progress);
    },
  );

/** `pmix fit --from MODEL.json --data ROWS.csv`: the warm start (cli/commands/refit.ts); its usage errors. */
async function refitFrom(
  file: string | undefined,
  o: { out: string; model?: string; data?: string[]; seed?: number; progress: boolean; checkpoint?: boolean; checkpointEvery?: number; maxMemory?: string; maxTime?: string; force?: boolean; reproducible?: boolean; from?: string; by?: string; weights?: string; checkpointRows?: number },
  out: Output,
): Promise<void> {
  const usage = (message: string): never => {
    out.err(`error: ${message}`);
    throw new Exit(EXIT_USAGE);
  };
  if (o.from === undefined) return usage('pmix fit needs a .pmix file, or --from MODEL.json to continue a saved model');
  if (file !== undefined) usage(`give either a .pmix file or --from, not both (got ${file} and --from ${o.from})`);
  if (o.model !== undefined) usage('--model chooses among the fits of a .pmix file; --from continues the one saved model');
  if (!o.data || o.data.length !== 1) usage('--from needs the rows to fit on: --data PATH.csv, or --data - for stdin');
  const data = o.data![0]!;
  const [{ refitCommand }, { creationTime }, { memoryLimit, timeLimit }] = await Promise.all([import('./commands/refit.js'), import('./commands/fit.js'), common()]);
  return refitCommand(
    {
      from: o.from,
      data,
      out: o.out,
      ...(o.by !== undefined ? { by: o.by } : {}),
      ...(o.weights !== undefined ? { weights: o.weights } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      checkpoint: o.checkpoint,
      checkpointEvery: o.checkpointEvery,
      ...(o.checkpointRows !== undefined ? { checkpointRows: o.checkpointRows } : {}),
      maxMemory: memoryLimit(o.maxMemory, out),
      maxSeconds: timeLimit(o.maxTime, out),
      force: o.force,
      created: creationTime(o.reproducible, out),
    },
    out,
    o.progress,
  );
}

program
  .command('score')
  .description('mean log-likelihood per row of a CSV file under a fitted model')
  .argument('<model>', 'a fitted model (JSON artifact)')
  .requiredOption('--data <PATH.csv>', 'the rows to score (columns named as the model variables)')
  .option('--per-row', "print every row's log-density")
  .option('--json', 'print {"mean_log_likelihood", "n"} as JSON')
  .option('--points <K>', POINTS_HELP, int('--points', 1))
  .action((model: string, o: { data: string; perRow?: boolean; json?: boolean; points?: number }) => import('./commands/score.js').then(({ scoreCommand }) => scoreCommand(model, o, io(o))));

program
  .command('query')
  .description('answer a query on a fitted model, e.g. "logp(x = 1)" or "p(y | x = 2)"')
  .argument('<model>', 'a fitted model (JSON artifact)')
  .argument('<query>', 'the query text')
  .option('--json', 'print the answer as JSON')
  .option('--points <K>', POINTS_HELP, int('--points', 1))
  .action((model: string, text: string, o: { json?: boolean; points?: number }) => import('./commands/query.js').then(({ queryCommand }) => queryCommand(model, text, io(o), o.points)));

program
  .command('predict')
  .description("a fitted Gaussian process's (or mixture of experts') predictions at the rows of a CSV file: mean, std (of f; of y for a mixture of experts) and std_y (with noise)")
  .argument('<model>', 'a fitted GP or mixture-of-experts model (JSON artifact)')
  .requiredOption('--data <PATH.csv>', 'the input rows (columns named as the model inputs)')
  .option('--out <PATH.csv>', 'write the predictions here (atomically) instead of stdout')
  .option('--json', 'print the predictions as JSON')
  .option('--force', 'write --out over an input of this run, or through a symbolic link to its target')
  .action((model: string, o: { data: string; out?: string; json?: boolean; force?: boolean }) => import('./commands/predict.js').then(({ predictCommand }) => predictCommand(model, o, io(o))));

program
  .command('plot')
  .description('a picture (SVG or PNG) of a fitted one-input Gaussian process (data, mean and 95% band) or kernel density (density and modes)')
  .argument('<model>', 'a fitted GP model (JSON artifact)')
  .requiredOption('--out <FILE.svg|FILE.png>', 'where to write the picture (the extension picks the format)')
  .option('--from <X>', 'left end of the x range (default: the data range, widened)', Number)
  .option('--to <X>', 'right end of the x range', Number)
  .option('--force', 'write --out over an input of this run, or through a symbolic link to its target')
  .action((model: string, o: { out: string; from?: number; to?: number; force?: boolean }) => import('./commands/plot.js').then(({ plotCommand }) => plotCommand(model, o, io({}))));

program
  .command('sample')
  .description('draw samples from a fitted model (CSV on stdout)')
  .argument('<model>', 'a fitted model (JSON artifact)')
  .option('-n, --n <N>', 'number of samples', int('-n', 1), 10)
  .option('--seed <S>', 'random seed', int('--seed', 0), 0)
  .option('--json', 'print the samples as JSON')
  .option('--png <FILE>', 'also draw the samples as a grid of grey-scale images in a PNG file')
  .option('--image <HxW>', 'the image shape for --png, e.g. 8x8 (default: square)')
  .action((model: string, o: { n: number; seed: number; json?: boolean; png?: string; image?: string }) => import('./commands/sample.js').then(({ sampleCommand }) => sampleCommand(model, o, io(o))));

// --backend of run and fit: where EM runs (docs/gpu.md), over PMIX_BACKEND.
// Commands that may hold a WebGPU device (fits under the auto backend, pmix info): released at exit.
const MAY_USE_GPU = new Set(['run', 'fit', 'repl', 'info']);
let gpuMayBeHeld = false;
program.hook('preAction', async (_root, action) => {
  if (MAY_USE_GPU.has(action.name())) gpuMayBeHeld = true;
  const b = (action.opts() as { backend?: string }).backend;
  if (b === undefined || action.name() === 'info') return;
  try {
    const { requestBackend } = await import('../runtime/backend/compute.js');
    requestBackend(b);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    throw new Exit(EXIT_USAGE);
  }
});

program
  .command('info')
  .description('print the versions, the compute backend (and WebGPU adapter, or what is missing) and the tensor backend, and why')
  .option('--backend <NAME>', 'auto, cpu or webgpu (default: auto; or PMIX_BACKEND); tensorflow and wasm name a TensorFlow.js backend')
  .option('--json', 'print as JSON')
  .action((o: { backend?: string; json?: boolean }) => import('./commands/info.js').then(({ infoCommand }) => infoCommand(io(o), o.backend)));

program
  .command('repl')
  .description('an interactive session: statements, queries, :help for commands')
  .argument('[file]', 'a .pmix file to run first, or a MODEL.json to load')
  .option('--no-history', 'do not read or write ~/.pmix_history')
  .action((file: string | undefined, o: { history: boolean }) => import('./commands/repl.js').then(({ replCommand }) => replCommand(file, o)));

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    const err = e as Error;
    process.stderr.write(`internal error: ${err.message}\n`);
    if (debug) process.stderr.write(`${err.stack ?? ''}\n`);
    else process.stderr.write('this is a bug in pmix; run again with --debug for details\n');
    return 70;
  }
}

main().then(
  async (code) => {
    // A WebGPU device (Dawn) held by a fit would keep the process alive.
    if (gpuMayBeHeld) await (await import('../runtime/webgpu/index.js')).releaseGpu();
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT_INPUT;
  },
);
