// The playground page: edit .pmix text (diagnostics as you type), give CSV files, fit every
// fit statement of the program, print summaries and query answers, plot the first fitted model.
import { compile, PmixInputError, type Cell, type Model, type Program } from '../api/browser.js';
import { formatAnswer, formatFit } from '../api/browser.js';
import example from '../examples/penguins.pmix?raw';
import { setupArtifactPanel } from './artifact-panel.js';
import { csvRows } from './csv-rows.js';
import { plotModel } from './plot.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const source = $<HTMLTextAreaElement>('source');
const diagnostics = $<HTMLPreElement>('diagnostics');
const summary = $<HTMLPreElement>('summary');
const answers = $<HTMLPreElement>('answers');
const plotX = $<HTMLSelectElement>('plot-x');
const plotY = $<HTMLSelectElement>('plot-y');
const plot = $<HTMLDivElement>('plot');
const fitButton = $<HTMLButtonElement>('fit');

/** Uploaded CSV texts by file name. */
const csvFiles = new Map<string, string>();
let plotted: { model: Model; rows: Record<string, Cell>[] } | undefined;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The CSV of a data set: the upload of the same file name, else the only upload. */
function csvFor(_name: string, path: string): string | undefined {
  return csvFiles.get(baseName(path)) ?? (csvFiles.size === 1 ? [...csvFiles.values()][0] : undefined);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function showDiagnostics(): Program | undefined {
  try {
    const program = compile(source.value, { data: csvFor });
    // Model bodies are checked against their data's columns, so only once every CSV is given.
    const missing = [...program.compiled.data.values()].filter((d) => csvFor(d.name, d.path) === undefined);
    if (!missing.length) program.check();
    diagnostics.dataset.errors = '0';
    const notes = program.diagnostics.filter((d) => d.severity !== 'error').map((d) => d.message);
    if (missing.length) notes.push(`syntax and names are fine; give ${missing.map((d) => baseName(d.path)).join(', ')} to check the models against the data`);
    diagnostics.textContent = notes.length ? notes.join('\n') : 'no problems';
    return program;
  } catch (e) {
    diagnostics.dataset.errors = String(e instanceof PmixInputError ? e.diagnostics.length : 1);
    diagnostics.textContent = message(e);
    return undefined;
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;
source.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(showDiagnostics, 300);
});

function dataLoaded(): void {
  $<HTMLParagraphElement>('data-status').textContent = `CSV: ${[...csvFiles.keys()].join(', ')}`;
  showDiagnostics();
}

$<HTMLInputElement>('csv-file').addEventListener('change', async (ev) => {
  for (const f of (ev.target as HTMLInputElement).files ?? []) csvFiles.set(f.name, await f.text());
  dataLoaded();
});

$<HTMLButtonElement>('use-shipped').addEventListener('click', async () => {
  const res = await fetch('./penguins.csv');
  csvFiles.set('penguins.csv', await res.text());
  dataLoaded();
});

function fitAll(): void {
  summary.textContent = '';
  answers.textContent = '';
  plot.replaceChildren();
  delete summary.dataset.meanLogLikelihood;
  const program = showDiagnostics();
  if (!program) {
    summary.textContent = 'fix the model first (see the diagnostics)';
    return;
  }
  try {
    const t0 = performance.now();
    const { fits, queries } = program.run();
    if (!fits.length) summary.textContent = 'the program has no fit statement';
    else {
      summary.textContent = `${fits.map(formatFit).join('\n')}\n(${Math.round(performance.now() - t0)} ms)`;
      summary.dataset.meanLogLikelihood = String(fits[0]!.mean_log_likelihood);
      summary.dataset.bic = String(fits[0]!.bic);
      summary.dataset.iterations = String(fits[0]!.iterations);
    }
    answers.textContent = queries.map((q) => `query ${q.model}: ${q.query}\n${formatAnswer(q.answer)}`).join('\n');
    const first = fits[0];
    if (first) {
      const model = program.model(first.model);
      const dataPath = program.compiled.data.get(first.data)?.path ?? '';
      plotted = { model, rows: csvRows(csvFor(first.data, dataPath) ?? '', model.variables) };
      const numeric = model.variables.filter((v) => v.type.kind === 'real' || v.type.kind === 'int').map((v) => v.name);
      for (const [sel, pick] of [[plotX, 0], [plotY, 1]] as const) {
        sel.replaceChildren(...numeric.map((n) => new Option(n, n)));
        sel.value = numeric[Math.min(pick, numeric.length - 1)] ?? '';
      }
      drawPlot();
    }
  } catch (e) {
    summary.textContent = message(e);
    summary.dataset.error = 'true';
  }
}

function drawPlot(): void {
  if (!plotted || !plotX.value || !plotY.value) return;
  try {
    plot.replaceChildren(plotModel(plotted.model, plotted.rows, plotX.value, plotY.value));
  } catch (e) {
    plot.textContent = `cannot plot: ${message(e)}`;
  }
}

plotX.addEventListener('change', drawPlot);
plotY.addEventListener('change', drawPlot);
fitButton.addEventListener('click', () => {
  fitButton.disabled = true;
  summary.textContent = 'fitting…';
  delete summary.dataset.error;
  // Let the page paint before the (synchronous) fit runs.
  setTimeout(() => {
    try {
      fitAll();
    } finally {
      fitButton.disabled = false;
    }
  }, 20);
});

source.value = example;
showDiagnostics();
setupArtifactPanel();
