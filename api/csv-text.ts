// Data sets given as CSV text in memory (the `data` option of compile): parsed against the
// program's data declarations, so no file is read.
import type { CompiledProgram } from '../compiler/program.js';
import type { Diagnostic } from '../language/index.js';
import { parseCsvText } from '../runtime/data/csv.js';
import type { Dataset } from '../runtime/data/dataset.js';

/** CSV text by data-set name, or a function of the name and the declared path. */
export type DataTexts = Readonly<Record<string, string>> | ((name: string, path: string) => string | undefined);

export function parseDataTexts(program: CompiledProgram, texts: DataTexts | undefined): { data: Map<string, Dataset>; diagnostics: Diagnostic[] } {
  const data = new Map<string, Dataset>();
  const diagnostics: Diagnostic[] = [];
  if (!texts) return { data, diagnostics };
  for (const [name, spec] of program.data) {
    const text = typeof texts === 'function' ? texts(name, spec.path) : Object.hasOwn(texts, name) ? texts[name] : undefined;
    if (text === undefined) continue;
    const r = parseCsvText(text, spec);
    if (r.data) data.set(name, r.data);
    else diagnostics.push(...r.diagnostics);
  }
  return { data, diagnostics };
}
