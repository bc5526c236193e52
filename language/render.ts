// Renders diagnostics for people:
//
//   faithful.pmix:3:30: error: expected ')' but found 'of'
//     model Geyser = mixture(k = 3 of Normal
//                                  ^^
//     expected: ')' or ','
//     hint: did you mean 'Normal'?
import type { Diagnostic } from './diagnostics.js';
import { orList } from './messages.js';
import { LineIndex } from './span.js';

const INDENT = '  ';

/** The caret line under a source line: tabs copied so the carets line up. */
function caretLine(line: string, column: number, width: number): string {
  let pad = '';
  for (let i = 0; i < column - 1; i++) pad += line[i] === '\t' ? '\t' : ' ';
  return pad + '^'.repeat(Math.max(1, width));
}

export function renderDiagnostic(d: Diagnostic, source: string | undefined): string {
  const file = d.file ?? '<input>';
  const out: string[] = [];
  const span = d.span;
  if (!span) {
    out.push(`${file}: ${d.severity}: ${d.message}`);
  } else {
    out.push(`${file}:${span.startLine}:${span.startColumn}: ${d.severity}: ${d.message}`);
    if (source !== undefined) {
      const line = new LineIndex(source).lineText(span.startLine);
      // A span running onto later lines is underlined to the end of its first line.
      const width = span.endLine === span.startLine ? span.endColumn - span.startColumn : line.length - span.startColumn + 1;
      out.push(INDENT + line, INDENT + caretLine(line, span.startColumn, width));
    }
  }
  if (d.expected && d.expected.length > 0) {
    const list = orList(d.expected);
    // "expected '=' but found '3'" says it all already.
    if (!d.message.startsWith(`expected ${list} `)) out.push(`${INDENT}expected: ${list}`);
  }
  if (d.hint) out.push(`${INDENT}hint: ${d.hint}`);
  return out.join('\n');
}

/** Each diagnostic rendered with the source of its file (looked up under d.file or '<input>'). */
export function renderDiagnostics(ds: readonly Diagnostic[], sourceByFile: ReadonlyMap<string, string>): string {
  return ds.map((d) => renderDiagnostic(d, sourceByFile.get(d.file ?? '<input>'))).join('\n');
}
