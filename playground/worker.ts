// The fit worker: compiles and runs the program off the page's thread (so the page answers
// input during a fit), posts progress, and draws the plot where the fitted model lives. The
// page cancels a fit by terminating the worker.
import { compile, formatAnswer, formatFit, useWebGpu, type Cell, type GpuChoice, type Model } from '../api/browser.js';
import { csvRows } from './csv-rows.js';
import { userMessage } from './messages.js';
import { drawModel, numericVariables } from './plot.js';
import type { FromWorker, ToWorker } from './protocol.js';

const post = (m: FromWorker): void => (self as unknown as Worker).postMessage(m);
let plotted: { model: Model; rows: Record<string, Cell>[] } | undefined;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

// The device, once per worker (a cancelled fit ends the worker; the next one asks again).
let gpu: Promise<GpuChoice> | undefined;

async function run(source: string, csv: Readonly<Record<string, string>>, pick?: readonly [string, string]): Promise<void> {
  const t0 = performance.now();
  const files = new Map(Object.entries(csv));
  const csvFor = (_name: string, path: string): string | undefined => files.get(baseName(path)) ?? (files.size === 1 ? [...files.values()][0] : undefined);
  const program = compile(source, { data: csvFor });
  const choice0 = await (gpu ??= useWebGpu());
  let last = 0;
  const { fits, queries, backends } = await program.runAsync({
    onProgress: (model, p) => {
      const now = performance.now();
      if (now - last < 80) return;
      last = now;
      const fraction = Math.min(1, (p.restart - 1 + p.iteration / Math.max(1, p.maxIter)) / Math.max(1, p.restarts));
      const restart = p.restarts > 1 ? `restart ${p.restart} of ${p.restarts}, ` : '';
      const ll = Number.isFinite(p.meanLogLikelihood) ? `, mean log-likelihood ${p.meanLogLikelihood.toFixed(4)}` : '';
      post({ type: 'progress', model, fraction, text: `fitting ${model}: ${restart}iteration ${p.iteration}${ll}` });
    },
  });
  const ms = Math.round(performance.now() - t0);
  const first = fits[0];
  let variables: string[] = [];
  let choice: [string, string] | undefined;
  let svg: string | undefined;
  let plotError: string | undefined;
  let ownPicture = false;
  plotted = undefined;
  if (first) {
    const model = program.model(first.model);
    const dataPath = program.compiled.data.get(first.data)?.path ?? '';
    plotted = { model, rows: csvRows(csvFor(first.data, dataPath) ?? '', model.variables) };
    variables = numericVariables(model);
    const want = pick && variables.includes(pick[0]) && variables.includes(pick[1]) ? pick : undefined;
    choice = want ? [want[0], want[1]] : variables.length ? [variables[0]!, variables[Math.min(1, variables.length - 1)]!] : undefined;
    try {
      ownPicture = (await model.picture()) !== undefined;
      if (choice || ownPicture) svg = await drawModel(model, plotted.rows, choice?.[0] ?? '', choice?.[1] ?? '');
      else plotError = `nothing to draw: '${model.name}' has no numeric variables (the plot draws the density of one or two numeric variables)`;
    } catch (e) {
      plotError = `cannot draw '${model.name}': ${userMessage(e)}`;
    }
  }
  post({
    type: 'done',
    summary: fits.length ? fits.map(formatFit).join('\n') : 'the program has no fit statement',
    answers: queries.map((q) => `query ${q.model}: ${q.query}\n${formatAnswer(q.answer)}`).join('\n\n'),
    first: first && { meanLogLikelihood: first.mean_log_likelihood, bic: first.bic, iterations: first.iterations },
    ms, variables, choice, ownPicture, svg, plotError,
    // Where the first fit ran; the device's absence is said once, not as an error.
    backend: backends[0] ?? (choice0.backend === 'webgpu' ? `webgpu (${choice0.adapter})` : 'cpu'),
    backendNote: choice0.backend === 'cpu' ? `no WebGPU: ${choice0.why}` : undefined,
  });
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'run') {
    run(m.source, m.csv, m.plot).catch((e: unknown) => post({ type: 'failed', message: userMessage(e) }));
  } else if (m.type === 'plot') {
    if (!plotted) return post({ type: 'plotted', error: 'fit a model first' });
    const { model } = plotted;
    drawModel(model, plotted.rows, m.x, m.y).then(
      (svg) => post({ type: 'plotted', svg }),
      (e: unknown) => post({ type: 'plotted', error: `cannot draw '${model.name}': ${userMessage(e)}` }),
    );
  }
};
