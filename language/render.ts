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
import { clipText } from './suggest.js';

const INDENT = '  ';

/** The caret line under a source line: tabs copied so the carets line up. */
function caretLine(line: string, column: number, width: number): string {
  let pad = '';
  for (let i = 0; i < column - 1; i++) pad += line[i] === '\t' ? '\t' : ' ';
  return pad + '^'.repeat(Math.max(1, width));
}

/** Longest run of non-blank characters a message echoes whole (a 1 MB identifier is clipped; paths fit). */
const MAX_WORD = 200;
/** Source text shown before and after the start of a span on a long line. */
const CONTEXT_BEFORE = 60;
const CONTEXT_AFTER = 100;

/** The message with every run of more than MAX_WORD non-blank characters clipped (clipText). */
export function clipWords(text: string): string {
  if (text.length <= MAX_WORD) return text;
  // A scan, not a regular expression: V8's regex engine overflows its stack on a 7 MB word.
  let out = '';
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !/\s/.test(text[i]!)) continue;
    const word = text.slice(start, i);
    out += (word.length > MAX_WORD ? clipText(word, 100) : word) + (i < text.length ? text[i] : '');
    start = i + 1;
  }
  return out;
}

/**
 * The source line and its caret line; a long line is shown as a window around the span's start
 * with "..." where it is cut, so a megabyte-long line is not echoed whole.
 */
function excerpt(line: string, column: number, width: number): [string, string] {
  if (line.length <= CONTEXT_BEFORE + CONTEXT_AFTER) return [line, caretLine(line, column, width)];
  const from = Math.max(0, column - 1 - CONTEXT_BEFORE);
  const to = Math.min(line.length, column - 1 + CONTEXT_AFTER);
  const pre = from > 0 ? '...' : '';
  const shown = pre + line.slice(from, to) + (to < line.length ? '...' : '');
  const col = column - from + pre.length;
  return [shown, caretLine(shown, col, Math.min(width, to - (column - 1)))];
}

export function renderDiagnostic(d: Diagnostic, source: string | undefined): string {
  const file = d.file ?? '<input>';
  const out: string[] = [];
  const span = d.span;
  const message = clipWords(d.message);
  if (!span) {
    // A data error's message starts with its file already: the path is shown once.
    out.push(`${file}: ${d.severity}: ${message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message}`);
  } else {
    out.push(`${file}:${span.startLine}:${span.startColumn}: ${d.severity}: ${message}`);
    if (source !== undefined) {
      const line = new LineIndex(source).lineText(span.startLine);
      // A span running onto later lines is underlined to the end of its first line.
      const width = span.endLine === span.startLine ? span.endColumn - span.startColumn : line.length - span.startColumn + 1;
      const [shown, carets] = excerpt(line, span.startColumn, width);
      out.push(INDENT + shown, INDENT + carets);
    }
  }
  if (d.expected && d.expected.length > 0) {
    const list = orList(d.expected);
    // "expected '=' but found '3'" says it all already.
    if (!d.message.startsWith(`expected ${list} `)) out.push(`${INDENT}expected: ${list}`);
  }
  if (d.hint) out.push(`${INDENT}hint: ${clipWords(d.hint)}`);
  return out.join('\n');
}

/** Each diagnostic rendered with the source of its file (looked up under d.file or '<input>'). */
export function renderDiagnostics(ds: readonly Diagnostic[], sourceByFile: ReadonlyMap<string, string>): string {
  return ds.map((d) => renderDiagnostic(d, sourceByFile.get(d.file ?? '<input>'))).join('\n');
}
