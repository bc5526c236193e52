// "Load a saved model": parse an artifact (pasted or chosen as a file), then score rows given
// as CSV. The log-densities also go to data-values (JSON) for tests.
import { load, type Model } from '../api/browser.js';
import { csvRows } from './csv-rows.js';

export function setupArtifactPanel(): void {
  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const artifact = $<HTMLTextAreaElement>('artifact');
  const status = $<HTMLPreElement>('artifact-status');
  const rows = $<HTMLTextAreaElement>('rows');
  const out = $<HTMLPreElement>('logdensities');
  let model: Model | undefined;

  const loadText = (): void => {
    try {
      model = load(artifact.value);
      status.dataset.model = model.name;
      status.textContent = `loaded model '${model.name}': ${model.variables.map((v) => `${v.name}: ${v.type.kind}`).join(', ')}`;
      if (!rows.value.trim()) rows.value = model.variables.map((v) => v.name).join(',') + '\n';
    } catch (e) {
      model = undefined;
      delete status.dataset.model;
      status.textContent = e instanceof Error ? e.message : String(e);
    }
  };

  $<HTMLInputElement>('artifact-file').addEventListener('change', async (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (!f) return;
    artifact.value = await f.text();
    loadText();
  });
  $<HTMLButtonElement>('load-artifact').addEventListener('click', loadText);
  $<HTMLButtonElement>('score').addEventListener('click', () => {
    if (!model) loadText();
    if (!model) return;
    try {
      const r = csvRows(rows.value, model.variables);
      const lp = Array.from(model.logProb(r));
      out.dataset.values = JSON.stringify(lp);
      out.textContent = lp.map((v, i) => `row ${i + 1}: log p = ${v}`).join('\n');
    } catch (e) {
      delete out.dataset.values;
      out.textContent = e instanceof Error ? e.message : String(e);
    }
  });
}
