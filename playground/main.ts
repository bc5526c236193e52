// The playground page: an editor with pmix highlighting and diagnostics as you type, an
// example per model family, CSV files, and fits run in a Web Worker (progress, cancel; the
// page stays responsive), with the summary, the query answers and a plot. Results of an
// earlier text are marked stale as soon as the text changes.
import { compile, PmixInputError, type Program } from '../api/browser.js';
import { setupArtifactPanel } from './artifact-panel.js';
import { createEditor, type PlaceDiagnostic } from './editor.js';
import { EXAMPLES, type Example } from './examples.js';
import { userMessage } from './messages.js';
import type { FromWorker, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const diagnostics = $<HTMLPreElement>('diagnostics');
const summary = $<HTMLPreElement>('summary');
const backendLine = $<HTMLParagraphElement>('backend');
const answers = $<HTMLPreElement>('answers');
const results = $<HTMLElement>('results');
const staleNote = $<HTMLParagraphElement>('stale');
const plotX = $<HTMLSelectElement>('plot-x');
const plotY = $<HTMLSelectElement>('plot-y');
const plot = $<HTMLDivElement>('plot');
const fitButton = $<HTMLButtonElement>('fit');
const cancelButton = $<HTMLButtonElement>('cancel');
const progress = $<HTMLProgressElement>('progress');
const fitStatus = $<HTMLSpanElement>('fit-status');
const picker = $<HTMLSelectElement>('example');

/** CSV texts by file name. */
const csvFiles = new Map<string, string>();
let example: Example = EXAMPLES[0]!;
/** The text the results on screen were fitted from. */
let fittedText: string | undefined;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The CSV of a data set: the file of the same name, else the only one given. */
function csvFor(_name: string, path: string): string | undefined {
  return csvFiles.get(baseName(path)) ?? (csvFiles.size === 1 ? [...csvFiles.values()][0] : undefined);
}

const editor = createEditor($<HTMLDivElement>('editor'), () => {
  clearTimeout(timer);
  timer = setTimeout(showDiagnostics, 250);
  markStale();
});
let timer: ReturnType<typeof setTimeout> | undefined;

function markStale(): void {
  const stale = fittedText !== undefined && editor.text() !== fittedText;
  results.dataset.stale = String(stale);
  staleNote.hidden = !stale;
}

function placed(ds: readonly { severity: string; message: string; hint?: string; span?: { startOffset: number; endOffset: number } }[]): PlaceDiagnostic[] {
  return ds.flatMap((d) =>
    d.span ? [{ from: d.span.startOffset, to: Math.max(d.span.endOffset, d.span.startOffset + 1), severity: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info', message: d.hint ? `${d.message} (${d.hint})` : d.message } as const] : [],
  );
}

function missingData(program: Program): string[] {
  return [...program.compiled.data.values()].filter((d) => csvFor(d.name, d.path) === undefined).map((d) => `data set '${d.name}' reads '${d.path}': choose the file ${baseName(d.path)} under Data`);
}

function showDiagnostics(): Program | undefined {
  try {
    const program = compile(editor.text(), { data: csvFor });
    // Model bodies are checked against their data's columns, so only once every CSV is given.
    const missing = missingData(program);
    if (!missing.length) program.check();
    diagnostics.dataset.errors = '0';
    const notes = program.diagnostics.filter((d) => d.severity !== 'error');
    editor.showDiagnostics(placed(notes));
    const lines = notes.map((d) => d.message);
    if (missing.length) lines.push(`the syntax and names are fine; ${missing.join('; ')}, to check the models against the data`);
    diagnostics.dataset.note = String(lines.length > 0);
    diagnostics.textContent = lines.length ? lines.join('\n') : 'no problems';
    return program;
  } catch (e) {
    const ds = e instanceof PmixInputError ? e.diagnostics : [];
    diagnostics.dataset.errors = String(ds.length || 1);
    editor.showDiagnostics(placed(ds));
    diagnostics.textContent = userMessage(e);
    return undefined;
  }
}

function dataLoaded(): void {
  $<HTMLParagraphElement>('data-status').textContent = csvFiles.size ? `CSV files: ${[...csvFiles.keys()].join(', ')}` : 'No data yet.';
  showDiagnostics();
}

async function loadExampleData(ex: Example): Promise<void> {
  const texts = await Promise.all(Object.entries(ex.csv).map(async ([name, url]) => [name, await (await fetch(url)).text()] as const));
  csvFiles.clear();
  for (const [name, text] of texts) csvFiles.set(name, text);
  dataLoaded();
}

async function pickExample(id: string): Promise<void> {
  cancelFit('idle', '');
  setState('idle', '');
  delete document.body.dataset.example;
  example = EXAMPLES.find((e) => e.id === id) ?? EXAMPLES[0]!;
  picker.value = example.id;
  editor.setText(example.source);
  clearResults('Press Fit to fit the model\'s fit statements and answer its queries.');
  await loadExampleData(example);
  document.body.dataset.example = example.id; // loaded, with its data (tests wait on it)
}

function clearResults(text: string): void {
  fittedText = undefined;
  summary.textContent = text;
  answers.textContent = '';
  plot.replaceChildren();
  plotX.replaceChildren();
  plotY.replaceChildren();
  $<HTMLDivElement>('plot-controls').hidden = true;
  for (const k of ['meanLogLikelihood', 'bic', 'iterations', 'error']) delete summary.dataset[k];
  markStale();
}

// The fit worker: one at a time; cancelling terminates it (a synchronous fit cannot be interrupted otherwise).
let worker: Worker | undefined;
let busy = false;

function spawn(): Worker {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (ev: MessageEvent<FromWorker>) => onWorker(ev.data);
  w.onerror = (ev) => {
    ev.preventDefault();
    finish('failed', `the fit stopped: ${ev.message || 'the worker failed'}`);
    worker?.terminate();
    worker = undefined;
  };
  return w;
}

function setState(state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed', text: string): void {
  fitStatus.dataset.state = state;
  fitStatus.textContent = text;
  busy = state === 'running';
  fitButton.disabled = busy;
  cancelButton.hidden = !busy;
  progress.hidden = !busy;
}

function finish(state: 'done' | 'cancelled' | 'failed', text: string): void {
  setState(state, text);
}

function cancelFit(state: 'cancelled' | 'idle', text: string): void {
  if (!busy) return;
  worker?.terminate();
  worker = undefined;
  setState(state, text);
  if (state === 'cancelled') summary.textContent = 'Fit cancelled.';
}

function onWorker(m: FromWorker): void {
  if (m.type === 'progress') {
    progress.value = m.fraction;
    fitStatus.textContent = m.text;
    fitStatus.dataset.fraction = String(m.fraction);
  } else if (m.type === 'failed') {
    summary.textContent = m.message;
    summary.dataset.error = 'true';
    finish('failed', 'the fit failed: see the message below');
  } else if (m.type === 'done') {
    summary.textContent = `${m.summary}\n(${m.ms} ms)`;
    backendLine.textContent = `backend: ${m.backend}`;
    backendLine.dataset.backend = m.backend.split(' ')[0];
    backendLine.title = m.backendNote ?? '';
    if (m.first) {
      summary.dataset.meanLogLikelihood = String(m.first.meanLogLikelihood);
      summary.dataset.bic = String(m.first.bic);
      summary.dataset.iterations = String(m.first.iterations);
    }
    answers.textContent = m.answers || 'the program has no query statement';
    for (const sel of [plotX, plotY]) sel.replaceChildren(...m.variables.map((n) => new Option(n, n)));
    if (m.choice) [plotX.value, plotY.value] = m.choice;
    // A model's own picture (a GP, a KDE) has its variables fixed: no choice to offer.
    $<HTMLDivElement>('plot-controls').hidden = m.ownPicture || !m.variables.length;
    showPlot(m.svg, m.plotError);
    finish('done', `done in ${(m.ms / 1000).toFixed(1)} s`);
    markStale();
  } else if (m.type === 'plotted') showPlot(m.svg, m.error);
}

function showPlot(svg: string | undefined, error: string | undefined): void {
  if (svg) {
    plot.innerHTML = svg;
    delete plot.dataset.error;
  } else {
    const p = document.createElement('p');
    p.className = 'plot-error';
    p.textContent = error ?? 'nothing to draw';
    plot.replaceChildren(p);
    plot.dataset.error = 'true';
  }
}

function fit(): void {
  if (busy) return;
  const program = showDiagnostics();
  if (!program) {
    clearResults('Fix the model first (see the messages under the editor).');
    summary.dataset.error = 'true';
    return;
  }
  const missing = missingData(program);
  if (missing.length) {
    clearResults(`${missing.join('\n')}\n(the page reads only the files you give it)`);
    summary.dataset.error = 'true';
    return;
  }
  clearResults('Fitting…');
  fittedText = editor.text();
  markStale();
  worker ??= spawn();
  progress.value = 0;
  setState('running', 'starting…');
  const msg: ToWorker = { type: 'run', source: fittedText, csv: Object.fromEntries(csvFiles), plot: example.plot };
  worker.postMessage(msg);
}

function replot(): void {
  if (busy || !worker || !plotX.value || !plotY.value) return;
  worker.postMessage({ type: 'plot', x: plotX.value, y: plotY.value } satisfies ToWorker);
}

plotX.addEventListener('change', replot);
plotY.addEventListener('change', replot);
fitButton.addEventListener('click', fit);
cancelButton.addEventListener('click', () => cancelFit('cancelled', 'cancelled'));
$<HTMLInputElement>('csv-file').addEventListener('change', async (ev) => {
  for (const f of (ev.target as HTMLInputElement).files ?? []) csvFiles.set(f.name, await f.text());
  dataLoaded();
});
$<HTMLButtonElement>('use-shipped').addEventListener('click', () => void loadExampleData(example));

for (const name of [...new Set(EXAMPLES.map((e) => e.group))]) {
  const group = document.createElement('optgroup');
  group.label = name;
  group.append(...EXAMPLES.filter((e) => e.group === name).map((e) => new Option(e.label, e.id)));
  picker.append(group);
}
picker.addEventListener('change', () => void pickExample(picker.value));
setState('idle', '');
setupArtifactPanel();
void pickExample(new URLSearchParams(location.search).get('example') ?? EXAMPLES[0]!.id);
