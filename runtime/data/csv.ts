// Loads a CSV file into a typed Dataset. Every problem becomes a diagnostic naming the file,
// the row and the column; nothing throws.
import { parse } from 'csv-parse/sync';
import type { Diagnostic } from '../../language/index.js';
import type { Span } from '../../language/index.js';
import { clipText, suggestionHint } from '../../language/index.js';
import { duplicateHeader, invalidUtf8Message, isNonDecimal, isUtf8, linesBefore, nonDecimalMessage, quoted, unclosedQuoteInText, unclosedQuoteMessage } from './cell-checks.js';
import type { IRVariable, VarType } from '../../ir/types.js';
import { hostFs } from '../../platform/host.js';
import type { Dataset } from './dataset.js';
import type { ColumnSpec, DataSpec } from '../../compiler/data-spec.js';

export type { ColumnSpec, DataSpec };

const MISSING = new Set(['', 'na', 'nan', 'null', 'n/a', '?']);
const TRUE = new Set(['true', '1', 'yes', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'f', 'n']);

export function loadCsv(spec: DataSpec): { data?: Dataset; diagnostics: Diagnostic[] } {
  const fs = hostFs();
  if (!fs) return { diagnostics: [fileError(spec, `cannot read data file '${spec.path}' for data set '${spec.name}': no file system here (in a browser, pass the CSV text to compile)`)] };
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(spec.path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { diagnostics: [fileError(spec, `cannot read data file '${spec.path}' for data set '${spec.name}': ${why}`)] };
  }
  // Bytes that are not UTF-8 decode to U+FFFD; the cells holding them are then refused by name.
  const invalidUtf8 = !isUtf8(bytes);
  return parseCsvText(new TextDecoder('utf-8').decode(bytes), spec, { invalidUtf8 });
}

/** `invalidUtf8`: the text was decoded from bytes that are not all UTF-8 (cells with U+FFFD are refused). */
export function parseCsvText(text: string, spec: DataSpec, opts: { invalidUtf8?: boolean } = {}): { data?: Dataset; diagnostics: Diagnostic[] } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (e) {
    const q = (e as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED' ? unclosedQuoteInText(text) : -1;
    const why = q >= 0 ? unclosedQuoteMessage(linesBefore(text, q) + 1) : clipText((e as Error).message, 300);
    return { diagnostics: [dataError(spec, `'${spec.path}' is not valid CSV: ${why}`)] };
  }
  if (records.length === 0) return { diagnostics: [dataError(spec, `'${spec.path}' is empty: expected a header row`)] };
  const header = records[0]!;
  if (opts.invalidUtf8) {
    const bad = header.findIndex((h) => h.includes('\ufffd'));
    if (bad >= 0) return { diagnostics: [dataError(spec, `${spec.path}: header row, column ${bad + 1}: ${invalidUtf8Message(header[bad]!)}`)] };
  }
  const { colIndex, diagnostics } = headerColumns(spec, header);
  if (diagnostics.length > 0) return { diagnostics };

  const rows = records.length - 1;
  const width = spec.columns.length;
  const values = new Float64Array(rows * width);
  const rawCategorical = new Map<number, string[]>();
  const maxErrors = 10;
  let errorCount = 0;
  // The same problem in one column (e.g. text in a real column) is shown once, with a count of
  // the other rows, instead of a line per row.
  const repeats = new Map<string, { col: string; what: string; rows: number[] }>();
  const report = (row: number, col: string, message: string): void => {
    const what = /^['"]/.test(message) ? message.replace(/^(['"]).*?\1 /, '') : undefined;
    const key = what === undefined ? undefined : `${col}\u0000${what}`;
    const seen = key === undefined ? undefined : repeats.get(key);
    if (seen) {
      seen.rows.push(row);
      return;
    }
    if (key !== undefined) repeats.set(key, { col, what: what!, rows: [] });
    errorCount++;
    if (errorCount <= maxErrors) diagnostics.push(dataError(spec, `${spec.path}: row ${row}, column '${col}': ${message}`));
  };
  const reportRepeats = (): void => {
    for (const { col, what, rows: more } of repeats.values()) {
      if (more.length === 0) continue;
      const shown = more.slice(0, 5).join(', ');
      diagnostics.push(dataError(spec, `${spec.path}: column '${col}': ${more.length} more rows where the value ${what} (rows ${shown}${more.length > 5 ? ', ...' : ''})`));
    }
    repeats.clear();
  };
  for (let r = 0; r < rows; r++) {
    const rec = records[r + 1]!;
    if (rec.length !== header.length) {
      report(r + 1, spec.columns[0]!.name, `the row has ${rec.length} fields but the header has ${header.length}`);
      continue;
    }
    spec.columns.forEach((c, j) => {
      const cell = rec[colIndex[j]!]!;
      if (opts.invalidUtf8 && cell.includes('\ufffd')) {
        report(r + 1, c.name, invalidUtf8Message(cell));
        return;
      }
      const v = parseCell(cell, c.type.kind);
      if (typeof v === 'string') report(r + 1, c.name, v);
      else values[r * width + j] = v;
      if (c.type.kind === 'categorical') {
        let raw = rawCategorical.get(j);
        if (!raw) rawCategorical.set(j, (raw = new Array<string>(rows)));
        raw[r] = cell;
      }
    });
  }
  reportRepeats();
  if (errorCount > maxErrors) diagnostics.push(dataError(spec, `${spec.path}: ${errorCount - maxErrors} more bad cells not shown`));
  if (diagnostics.length > 0) return { diagnostics };

  const columns: IRVariable[] = spec.columns.map((c, j) => {
    if (c.type.kind !== 'categorical') return { name: c.name, type: { kind: c.type.kind } as VarType };
    const raw = rawCategorical.get(j) ?? [];
    const seen = new Set(raw.filter((s) => !MISSING.has(s.toLowerCase())));
    const levels = c.type.levels ? [...c.type.levels] : [...seen].sort();
    const index = new Map(levels.map((l, i) => [l, i] as const));
    // Undeclared levels: the first is reported with its row; the others as one count (not a line each).
    let undeclared = 0;
    let first = '';
    const others = new Set<string>();
    for (let r = 0; r < rows; r++) {
      const s = raw[r]!;
      if (MISSING.has(s.toLowerCase())) values[r * width + j] = NaN;
      else {
        const li = index.get(s);
        if (li === undefined) {
          if (undeclared++ === 0) {
            first = s;
            const hint = suggestionHint(s, levels);
            report(r + 1, c.name, `${quoted(s)} is not one of the declared levels (${clipText(levels.join(', '), 200)})${hint ? `; ${hint}` : ''}`);
          } else if (s !== first) others.add(s);
        } else values[r * width + j] = li;
      }
    }
    if (undeclared > 1) {
      const shown = [...others].slice(0, 5).map(quoted).join(', ');
      diagnostics.push(dataError(spec, `${spec.path}: column '${c.name}': ${undeclared - 1} more rows with undeclared levels (${shown}${others.size > 5 ? `, and ${others.size - 5} more` : ''}); declare every level, or write categorical to take the levels found in the data`));
    }
    return { name: c.name, type: { kind: 'categorical', levels } };
  });
  if (diagnostics.length > 0) return { diagnostics };
  return { data: { name: spec.name, source: spec.path, columns, rows, values }, diagnostics };
}

/** A number, or a message saying why the cell is not a valid value of its type. */
function parseCell(cell: string, kind: ColumnSpec['type']['kind']): number | string {
  const lower = cell.toLowerCase();
  if (MISSING.has(lower)) return NaN;
  switch (kind) {
    case 'categorical':
      return 0; // resolved once all levels are known
    case 'bool':
      if (TRUE.has(lower)) return 1;
      if (FALSE.has(lower)) return 0;
      return `${quoted(cell)} is not a bool (true/false, 1/0, yes/no)`;
    case 'int': {
      if (isNonDecimal(cell)) return nonDecimalMessage(cell, 'int');
      const v = Number(cell);
      if (!Number.isFinite(v)) return `${quoted(cell)} is not a number (int column)`;
      if (!Number.isInteger(v)) return `${quoted(cell)} is not an integer (int column)`;
      return v;
    }
    default: {
      if (isNonDecimal(cell)) return nonDecimalMessage(cell, 'real');
      const v = Number(cell);
      if (Number.isNaN(v) || cell === '') return `${quoted(cell)} is not a number (real column)`;
      if (!Number.isFinite(v)) return `${quoted(cell)} is not a finite number (real column)`;
      return v;
    }
  }
}

function fileError(spec: DataSpec, message: string): Diagnostic {
  return { severity: 'error', code: 'missing-data-file', message, span: spec.pathSpan, file: spec.file };
}

function dataError(spec: DataSpec, message: string): Diagnostic {
  return { severity: 'error', code: 'bad-data', message, file: spec.path };
}

/** Where each declared column stands in the header (-1 when absent, with a diagnostic naming it). */
export function headerColumns(spec: DataSpec, header: readonly string[]): { colIndex: number[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // With two columns of one name, which one a model reads would be a silent choice.
  const dup = duplicateHeader(header);
  if (dup) {
    const d = dataError(spec, `${spec.path}: header row: columns ${dup.first} and ${dup.second} are both named ${quoted(dup.name)}; every column needs its own name`);
    return { colIndex: spec.columns.map(() => -1), diagnostics: [d] };
  }
  const colIndex = spec.columns.map((c) => {
    const i = header.indexOf(c.name);
    if (i < 0) {
      diagnostics.push({
        severity: 'error',
        code: 'unknown-column',
        message: `column '${c.name}' is not in the header of '${spec.path}' (it has: ${clipText(header.join(', '), 300)})`,
        span: c.span,
        file: spec.file,
        hint: suggestionHint(c.name, header),
      });
    }
    return i;
  });
  return { colIndex, diagnostics };
}
