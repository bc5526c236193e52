// The streaming CSV reader behind openCsvStream (csv-stream.ts): reads the file from the start in
// chunks cut at record boundaries and types each row as loadCsv does (missing-value tokens, bools,
// ints, categorical levels); bad cells become diagnostics naming the file, row and column.
import { parse } from 'csv-parse/sync';
import type { Diagnostic } from '../../language/index.js';
import { clipText, suggestionHint } from '../../language/index.js';
import { FATAL, invalidUtf8Message, isNonDecimal, isUtf8, nonDecimalMessage, quoted, unclosedQuoteInBytes, unclosedQuoteMessage } from './cell-checks.js';
import { hostFs } from '../../platform/host.js';
import type { DataSpec } from './csv.js';
import { countLines, fastNumber, hasLoneCR, isSpace, mib, parseErrorMessage, recordBoundary, textOf } from './csv-bytes.js';

const MISSING = new Set(['', 'na', 'nan', 'null', 'n/a', '?']);
const TRUE = new Set(['true', '1', 'yes', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'f', 'n']);
/** Errors reported per pass before the rest are counted. */
const MAX_ERRORS = 10;
/** Bytes after a stray quote given to csv-parse to find its reason (an opening quote mid-field). */
const QUOTE_WINDOW = 1 << 16;

/** Bad data found while streaming: the diagnostics (row and column named), as loadCsv reports them. */
export class DataStreamError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'DataStreamError';
  }
}

export interface RowBatch {
  /** n x columns.length, row-major (declared column order), NaN = missing; valid until the next batch. */
  readonly values: Float64Array;
  readonly n: number;
  /** Index (0-based, data rows only) of the batch's first row in the file. */
  readonly first: number;
}

export type Kind = 'real' | 'int' | 'bool' | 'categorical';

export class Reader {
  /** Categorical levels per declared column (by index), and the lookup of each. */
  readonly levels: (readonly string[] | undefined)[];
  private readonly index: (Map<string, number> | undefined)[];
  /** While scanning for undeclared levels: the values seen per categorical column. */
  readonly seen: (Set<string> | undefined)[];
  collecting = false;
  rows: number | undefined;
  private readonly kinds: Kind[];
  /** For each field of a record, the declared column it fills (-1: not used). */
  private readonly target: Int32Array;

  constructor(
    private readonly spec: DataSpec,
    private readonly fields: number,
    colIndex: readonly number[],
    private readonly chunkBytes: number,
    private readonly maxRecordBytes: number,
  ) {
    this.kinds = spec.columns.map((c) => c.type.kind);
    this.levels = spec.columns.map((c) => (c.type.kind === 'categorical' ? c.type.levels : undefined));
    this.index = this.levels.map((l) => (l ? new Map(l.map((s, i) => [s, i] as const)) : undefined));
    this.seen = spec.columns.map((c) => (c.type.kind === 'categorical' && !c.type.levels ? new Set<string>() : undefined));
    this.target = new Int32Array(fields).fill(-1);
    colIndex.forEach((f, j) => (this.target[f] = j));
  }

  setLevels(j: number, levels: readonly string[]): void {
    this.levels[j] = levels;
    this.index[j] = new Map(levels.map((s, i) => [s, i] as const));
  }

  *batches(size: number): Generator<RowBatch, void, void> {
    const fs = hostFs()!;
    const W = this.spec.columns.length;
    const B = Math.max(1, Math.floor(size));
    let fd: number;
    try {
      fd = fs.openSync(this.spec.path, 'r');
    } catch (e) {
      throw new DataStreamError([fileError(this.spec, `cannot read data file '${this.spec.path}': ${(e as Error).message}`)]);
    }
    try {
      // Bytes read and not yet parsed (a partial record carried to the next read), then the read.
      let buf = new Uint8Array(2 * this.chunkBytes);
      let len = 0;
      const dec = FATAL;
      // Lines before buf[0] (for csv-parse's line numbers); set while a chunk's bytes may hold bad UTF-8.
      let lineBase = 0;
      let badUtf8 = false;
      // Parsed rows not yet handed out; grows to the rows of one chunk plus one batch.
      let pending = new Float64Array(Math.max(B, 1024) * W);
      let count = 0;
      const out = new Float64Array(B * W);
      let first = 0;
      let record = -1; // data records seen (the header is record -1)
      let pos = 0;
      let start = true;
      const errors: Diagnostic[] = [];
      let errorCount = 0;
      const report = (row: number, col: string, message: string): void => {
        errorCount++;
        if (errorCount <= MAX_ERRORS) errors.push(dataError(this.spec, `${this.spec.path}: row ${row}, column '${col}': ${message}`));
      };
      const row = new Float64Array(W);
      const addRow = (): void => {
        if (count * W + W > pending.length) {
          const next = new Float64Array(pending.length * 2);
          next.set(pending.subarray(0, count * W));
          pending = next;
        }
        pending.set(row, count * W);
        count++;
      };
      const onRecord = (cells: readonly string[]): void => {
        record++;
        if (record === 0) return; // header
        if (cells.length !== this.fields) {
          report(record, this.spec.columns[0]!.name, `the row has ${cells.length} fields but the header has ${this.fields}`);
          return;
        }
        for (let f = 0; f < cells.length; f++) {
          const j = this.target[f]!;
          if (j < 0) continue;
          if (badUtf8 && cells[f]!.includes('\ufffd')) {
            report(record, this.spec.columns[j]!.name, invalidUtf8Message(cells[f]!));
            row[j] = NaN;
          } else row[j] = this.cell(cells[f]!, j, record, report);
        }
        addRow();
      };
      for (;;) {
        if (buf.length - len < this.chunkBytes) {
          const next = new Uint8Array(len + 2 * this.chunkBytes);
          next.set(buf.subarray(0, len));
          buf = next;
        }
        const got = fs.readSync(fd, buf, len, buf.length - len, pos);
        pos += got;
        len += got;
        let from = 0;
        if (start && len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from = 3;
        if (start && len > 0) start = false;
        const cut = got > 0 ? recordBoundary(buf, len) : len;
        if (len - cut > this.maxRecordBytes) this.recordTooLong(buf, cut, len, lineBase + countLines(buf, 0, cut), record + 1);
        if (cut > from) {
          const q = buf.indexOf(34, from);
          if ((q >= 0 && q < cut) || hasLoneCR(buf, from, cut)) {
            let records: string[][];
            badUtf8 = !isUtf8(buf, from, cut);
            try {
              records = parse(new TextDecoder('utf-8').decode(buf.subarray(from, cut)), { skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
            } catch (e) {
              const q = (e as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED' ? unclosedQuoteInBytes(buf, from, cut) : -1;
              const why = q >= 0 ? unclosedQuoteMessage(lineBase + countLines(buf, 0, q) + 1) : parseErrorMessage(e, lineBase);
              throw new DataStreamError([dataError(this.spec, `'${this.spec.path}' is not valid CSV: ${why}`)]);
            }
            for (const r of records) onRecord(r);
            badUtf8 = false;
          } else record = this.scanPlain(buf, from, cut, record, row, addRow, report, dec);
        }
        if (cut > 0) {
          lineBase += countLines(buf, 0, cut);
          buf.copyWithin(0, cut, len);
          len -= cut;
        }
        if (errorCount > 0) {
          if (errorCount > MAX_ERRORS) errors.push(dataError(this.spec, `${this.spec.path}: ${errorCount - MAX_ERRORS} more bad cells in this part of the file not shown`));
          throw new DataStreamError(errors);
        }
        let at = 0;
        while (count - at >= B || (got === 0 && count - at > 0)) {
          const n = Math.min(B, count - at);
          out.set(pending.subarray(at * W, (at + n) * W));
          yield { values: n === B ? out : out.subarray(0, n * W), n, first };
          first += n;
          at += n;
        }
        if (at > 0) {
          pending.copyWithin(0, at * W, count * W);
          count -= at;
        }
        if (got === 0) break;
      }
      if (record < 0) throw new DataStreamError([dataError(this.spec, `'${this.spec.path}' is empty: expected a header row`)]);
      this.rows = Math.max(record, 0);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * The bytes [cut, len) are one unfinished record longer than maxRecordBytes (a stray quote
   * makes the rest of the file one record): report csv-parse's reason when it finds one in it,
   * else the line where the record starts. Throws DataStreamError.
   */
  private recordTooLong(buf: Uint8Array, cut: number, len: number, line: number, row: number): never {
    const where = `'${this.spec.path}' is not valid CSV`;
    const q = unclosedQuoteInBytes(buf, cut, len);
    if (q < 0) throw new DataStreamError([dataError(this.spec, `${where}: the record on line ${line + 1} (row ${row}) is longer than ${mib(this.maxRecordBytes)}`)]);
    // A quote in the middle of a field is csv-parse's "Invalid Opening Quote", found within a
    // few bytes of it: only a window is parsed, so memory stays at the bound.
    try {
      parse(new TextDecoder('utf-8').decode(buf.subarray(cut, Math.min(len, q + QUOTE_WINDOW))), { skip_empty_lines: true, relax_column_count: true, trim: true });
    } catch (e) {
      if ((e as { code?: string }).code !== 'CSV_QUOTE_NOT_CLOSED') throw new DataStreamError([dataError(this.spec, `${where}: ${parseErrorMessage(e, line)}`)]);
    }
    const at = line + countLines(buf, cut, q) + 1;
    throw new DataStreamError([dataError(this.spec, `${where}: a quote opened on line ${at} (row ${row}) is not closed within ${mib(this.maxRecordBytes)}; is there a stray '"'?`)]);
  }

  /** Records of quote-free bytes [from, to) split by hand (loadCsv's trim and empty-line rules). Returns the record count so far. */
  private scanPlain(
    text: Uint8Array,
    from: number,
    to: number,
    record: number,
    row: Float64Array,
    addRow: () => void,
    report: (row: number, col: string, message: string) => void,
    dec: TextDecoder,
  ): number {
    const fields = this.fields;
    const target = this.target;
    let p = from;
    while (p < to) {
      let eol = text.indexOf(10, p);
      if (eol < 0 || eol > to) eol = to;
      let end = eol;
      if (end > p && text[end - 1] === 13) end--;
      // A line of nothing but blanks is an empty line (csv-parse with trim skips it too).
      let blank = true;
      for (let k = p; k < end; k++) {
        if (!isSpace(text[k]!)) {
          blank = false;
          break;
        }
      }
      if (blank) {
        p = eol + 1;
        continue;
      }
      record++;
      if (record === 0) {
        p = eol + 1;
        continue;
      }
      // Count the fields first: a ragged row is one error, not one per cell.
      let nf = 1;
      for (let k = p; k < end; k++) if (text[k] === 44) nf++;
      if (nf !== fields) {
        report(record, this.spec.columns[0]!.name, `the row has ${nf} fields but the header has ${fields}`);
        p = eol + 1;
        continue;
      }
      let s = p;
      for (let f = 0; f < fields; f++) {
        let e = s;
        while (e < end && text[e] !== 44) e++;
        const j = target[f]!;
        if (j >= 0) {
          let a = s;
          let b = e;
          while (a < b && isSpace(text[a]!)) a++;
          while (b > a && isSpace(text[b - 1]!)) b--;
          const kind = this.kinds[j]!;
          let v = NaN;
          if (kind === 'real' || kind === 'int') v = fastNumber(text, a, b);
          if (!Number.isNaN(v) && (kind === 'real' || Number.isInteger(v))) row[j] = v;
          else {
            let cell: string | undefined;
            try {
              cell = textOf(text, a, b, dec);
            } catch {
              report(record, this.spec.columns[j]!.name, invalidUtf8Message(new TextDecoder('utf-8').decode(text.subarray(a, b))));
            }
            row[j] = cell === undefined ? NaN : this.cell(cell, j, record, report);
          }
        }
        s = e + 1;
      }
      addRow();
      p = eol + 1;
    }
    return record;
  }

  /** The stored value of one (trimmed) cell of column j; reports a bad one and returns NaN. */
  private cell(cell: string, j: number, record: number, report: (row: number, col: string, message: string) => void): number {
    const c = this.spec.columns[j]!;
    const lower = cell.toLowerCase();
    if (MISSING.has(lower)) return NaN;
    switch (this.kinds[j]) {
      case 'categorical': {
        if (this.collecting && this.seen[j]) {
          this.seen[j]!.add(cell);
          return 0;
        }
        const li = this.index[j]!.get(cell);
        if (li !== undefined) return li;
        const levels = this.levels[j]!;
        const hint = suggestionHint(cell, levels);
        report(record, c.name, `${quoted(cell)} is not one of the declared levels (${clipText(levels.join(', '), 200)})${hint ? `; ${hint}` : ''}`);
        return NaN;
      }
      case 'bool':
        if (TRUE.has(lower)) return 1;
        if (FALSE.has(lower)) return 0;
        report(record, c.name, `${quoted(cell)} is not a bool (true/false, 1/0, yes/no)`);
        return NaN;
      case 'int': {
        const v = isNonDecimal(cell) ? NaN : Number(cell);
        if (isNonDecimal(cell)) report(record, c.name, nonDecimalMessage(cell, 'int'));
        else if (!Number.isFinite(v)) report(record, c.name, `${quoted(cell)} is not a number (int column)`);
        else if (!Number.isInteger(v)) report(record, c.name, `${quoted(cell)} is not an integer (int column)`);
        else return v;
        return NaN;
      }
      default: {
        const v = isNonDecimal(cell) ? NaN : Number(cell);
        if (isNonDecimal(cell)) report(record, c.name, nonDecimalMessage(cell, 'real'));
        else if (Number.isNaN(v) || cell === '') report(record, c.name, `${quoted(cell)} is not a number (real column)`);
        else if (!Number.isFinite(v)) report(record, c.name, `${quoted(cell)} is not a finite number (real column)`);
        else return v;
        return NaN;
      }
    }
  }
}

export function fileError(spec: DataSpec, message: string): Diagnostic {
  return { severity: 'error', code: 'missing-data-file', message, span: spec.pathSpan, file: spec.file };
}

export function dataError(spec: DataSpec, message: string): Diagnostic {
  return { severity: 'error', code: 'bad-data', message, file: spec.path };
}