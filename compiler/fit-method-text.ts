// A fit method written on its own, as after `by` in a fit statement: `online(batch = 512)`,
// `em(max_iter = 50, tol = 1e-6)` (pmix fit --from ... --by TEXT). Parsed by the language's
// parser inside a synthetic fit statement and checked by fitSettings, so it takes exactly the
// arguments, defaults and checks of the language.
import { parseProgram, type Diagnostic } from '../language/index.js';
import { ConstantScope } from './constants.js';
import { fitSettings } from './fit-settings.js';
import type { FitSettings } from './program.js';

export function fitMethodFromText(text: string, where: string): { settings?: FitSettings; messages: string[] } {
  const prefix = 'fit M on d by ';
  const { program, diagnostics } = parseProgram(`${prefix}${text}\n`, where);
  const errors = (ds: readonly Diagnostic[]): string[] => ds.filter((d) => d.severity === 'error').map((d) => `${where} '${text}': ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  if (errors(diagnostics).length) return { messages: errors(diagnostics) };
  const fit = program.statements.find((s) => s.kind === 'fit');
  if (!fit || fit.kind !== 'fit' || program.statements.length !== 1) return { messages: [`${where} '${text}': expected one method such as em(max_iter = 50) or online(batch = 256)`] };
  const diags: Diagnostic[] = [];
  const settings = fitSettings({ name: fit.method.name, span: fit.method.span }, fit.args, new ConstantScope(where), where, diags);
  if (!settings || errors(diags).length) return { messages: errors(diags) };
  return { settings, messages: [] };
}
