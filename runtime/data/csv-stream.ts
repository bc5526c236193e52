// Reads a CSV file in batches of rows without holding the file in memory (streaming EM and
// `pmix score` on data larger than memory). Rows are typed as loadCsv types them (csv.ts:
// the same missing-value tokens, bools, ints, categorical levels) and every problem is a
// diagnostic naming the file, the row and the column. The file is read synchronously in
// chunks of a few MiB, cut at the last record boundary (a newline outside quotes); a chunk
// without a quote character is split by a hand-written scanner with a correctly rounded fast
// path for plain decimal numbers, any other chunk goes through csv-parse with loadCsv's
// options. Each call of batches() reads the file again from the start.
import { parse } from 'csv-parse/sync';
import type { Diagnostic } from '../../language/index.js';
import { clipText, suggestionHint } from '../../language/index.js';
import { FATAL, invalidUtf8Message, isNonDecimal, isUtf8, nonDecimalMessage, quoted, unclosedQuoteInBytes, unclosedQuoteMessage } from './cell-checks.js';
import type { IRVariable, VarType } from '../../ir/types.js';
import { hostFs } from '../../platform/host.js';
import { headerColumns, type DataSpec } from './csv.js';

const MISSING = new Set(['', 'na', 'nan', 'null', 'n/a', '?']);
const TRUE = new Set(['true', '1', 'yes', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'f', 'n']);
/** Errors reported per pass before the rest are counted. */
const MAX_ERRORS = 10;
const DEFAULT_CHUNK_BYTES = 4 << 20;
/**
 * The longest record read (default 16 MiB): a stray quote makes the rest of the file one
 * record, which would otherwise be held whole (and parsed whole) before csv-parse reports it.
 */
const DEFAULT_MAX_RECORD_BYTES = 16 << 20;
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

export interface CsvStream {
  readonly name: string;
  readonly source: string;
  /** The declared columns with their types (categorical levels declared or found by a scan). */
  readonly columns: readonly IRVariable[];
  /** Size of the file in bytes. */
  readonly bytes: number;
  /** Data rows, once a pass has read the whole file (undefined before). */
  readonly rows: number | undefined;
  /** Reads the file from the start in batches of `size` rows; throws DataStreamError on bad data. */
  batches(size: number): Generator<RowBatch, void, void>;
}

export interface CsvStreamOptions {
  /** Bytes read per chunk (default 4 MiB). */
  readonly chunkBytes?: number;
  /** The longest record accepted, in bytes (default 16 MiB); a longer one is reported with its line. */
  readonly maxRecordBytes?: number;
}

type Kind = 'real' | 'int' | 'bool' | 'categorical';

/**
 * Opens a CSV for streaming: reads its header (and, when a categorical column has no declared
 * levels, scans the whole file once to find them, sorted as loadCsv sorts them).
 */
export function openCsvStream(spec: DataSpec, opts: CsvStreamOptions = {}): { stream?: CsvStream; diagnostics: Diagnostic[] } {
  const fs = hostFs();
  if (!fs) return { diagnostics: [fileError(spec, `cannot read data file '${spec.path}' for data set '${spec.name}': no file system here`)] };
  let bytes: number;
  let fd: number;
  try {
    fd = fs.openSync(spec.path, 'r');
    bytes = fs.fstatSync(fd).size;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { diagnostics: [fileError(spec, `cannot read data file '${spec.path}' for data set '${spec.name}': ${why}`)] };
  }
  const chunkBytes = Math.max(1024, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const maxRecordBytes = Math.max(chunkBytes, opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  let header: string[] | undefined;
  try {
    header = readHeader(fs, fd, chunkBytes, maxRecordBytes);
  } catch (e) {
    fs.closeSync(fd);
    return { diagnostics: [dataError(spec, `'${spec.path}' ${(e as Error).message}`)] };
  }
  fs.closeSync(fd);
  if (!header) return { diagnostics: [dataError(spec, `'${spec.path}' is empty: expected a header row`)] };
  const { colIndex, diagnostics } = headerColumns(spec, header);
  if (diagnostics.length > 0) return { diagnostics };
  const reader = new Reader(spec, header.length, colIndex, chunkBytes, maxRecordBytes);
  // Undeclared categorical levels: one scan of the file collects them.
  if (spec.columns.some((c) => c.type.kind === 'categorical' && !c.type.levels)) {
    try {
      reader.collecting = true;
      for (const _ of reader.batches(1 << 16)) void _;
    } catch (e) {
      if (e instanceof DataStreamError) return { diagnostics: e.diagnostics };
      throw e;
    } finally {
      reader.collecting = false;
    }
    spec.columns.forEach((c, j) => {
      if (c.type.kind === 'categorical' && !c.type.levels) reader.setLevels(j, [...reader.seen[j]!].sort());
    });
  }
  const columns: IRVariable[] = spec.columns.map((c, j) => ({
    name: c.name,
    type: (c.type.kind === 'categorical' ? { kind: 'categorical', levels: [...reader.levels[j]!] } : { kind: c.type.kind }) as VarType,
  }));
  const stream: CsvStream = {
    name: spec.name,
    source: spec.path,
    columns,
    bytes,
    get rows() {
      return reader.rows;
    },
    batches: (size) => reader.batches(size),
  };
  return { stream, diagnostics: [] };
}

/** The header record (the first non-empty record), or undefined for an empty file. */
function readHeader(fs: NonNullable<ReturnType<typeof hostFs>>, fd: number, chunkBytes: number, maxRecordBytes: number): string[] | undefined {
  let buf = new Uint8Array(chunkBytes);
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      if (len >= maxRecordBytes) throw new Error(`is not valid CSV: its header is longer than ${mib(maxRecordBytes)} (an unclosed quote?)`);
      const next = new Uint8Array(2 * buf.length);
      next.set(buf);
      buf = next;
    }
    const got = fs.readSync(fd, buf, len, buf.length - len, len);
    len += got;
    // The first line with something on it, and any quoted line breaks it spans.
    let cut = got > 0 ? recordBoundary(buf, len) : len;
    if (cut > 0 || got === 0) {
      let k = 0;
      while (k < cut && (buf[k] === 10 || buf[k] === 13 || isSpace(buf[k]!) || buf[k] === 0xef || buf[k] === 0xbb || buf[k] === 0xbf)) k++;
      if (k === cut && got > 0) continue;
      const text = new TextDecoder('utf-8').decode(buf.subarray(0, cut)).replace(/^\uFEFF?(?:[ \t]*\r?\n)+/, '');
      let records: string[][];
      try {
        records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, to_line: 1 }) as string[][];
      } catch (e) {
        throw new Error(`is not valid CSV: ${clipText((e as Error).message, 300)}`);
      }
      if (records.length > 0) {
        const header = records[0]!.map((c) => c.trim());
        const bad = header.findIndex((h) => h.includes('\ufffd'));
        // U+FFFD from bytes that are not UTF-8 (a real U+FFFD in a valid file is a name like any other).
        if (bad >= 0 && !isUtf8(buf, 0, cut)) throw new Error(`has bytes that are not UTF-8 in its header row, column ${bad + 1}: ${invalidUtf8Message(header[bad]!)}`);
        return header;
      }
      if (got === 0) return undefined;
      cut = 0;
    }
  }
}

/**
 * Index just past the last line end outside double quotes in bytes [0, len) (0 when none): a
 * newline (byte 10), or a lone carriage return (old Mac files) that is not the last byte read
 * (a newline may follow it in the next read).
 */
function recordBoundary(bytes: Uint8Array, len: number): number {
  const q = bytes.indexOf(34);
  if (q < 0 || q >= len) {
    // (lastIndexOf counts a negative start from the end of the whole buffer, past len.)
    const cr = len >= 2 ? bytes.lastIndexOf(13, len - 2) : -1;
    return Math.max(bytes.lastIndexOf(10, len - 1), cr) + 1;
  }
  let inQuotes = false;
  let last = 0;
  for (let i = 0; i < len; i++) {
    const c = bytes[i]!;
    if (c === 34) inQuotes = !inQuotes;
    else if (!inQuotes && (c === 10 || (c === 13 && i + 1 < len && bytes[i + 1] !== 10))) last = i + 1;
  }
  return last;
}

/** Line ends in bytes [from, to), counted as csv-parse counts lines: LF, CRLF and a lone CR each once. */
function countLines(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10, from); i >= 0 && i < to; i = bytes.indexOf(10, i + 1)) n++;
  for (let i = bytes.indexOf(13, from); i >= 0 && i < to; i = bytes.indexOf(13, i + 1)) if (i + 1 >= to || bytes[i + 1] !== 10) n++;
  return n;
}

/** csv-parse's message with its line numbers (counted from the text it was given) made file lines. */
function parseErrorMessage(e: unknown, lineBase: number): string {
  return clipText((e as Error).message.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + lineBase}`), 300);
}

function mib(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** The text of bytes [a, b): ASCII directly, anything else through a UTF-8 decoder. */
function textOf(bytes: Uint8Array, a: number, b: number, dec: TextDecoder): string {
  let ascii = true;
  for (let k = a; k < b; k++) if (bytes[k]! >= 128) ascii = false;
  if (!ascii || b - a > 256) return dec.decode(bytes.subarray(a, b)); // throws on bad UTF-8 when dec is fatal
  let out = '';
  for (let k = a; k < b; k++) out += String.fromCharCode(bytes[k]!);
  return out;
}

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The value of text[s, e) when it is a plain decimal number (sign, digits, point, exponent)
 * with at most 15 significant digits and a small power of ten, else NaN (the caller then
 * uses Number()). Exact: the digits and the power of ten are exact doubles and one division
 * or multiplication rounds correctly, so the result equals Number(text.slice(s, e)).
 */
function fastNumber(text: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  let c = text[i]!;
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let sig = 0;
  let digits = 0;
  let scale = 0;
  for (; i < e; i++) {
    c = text[i]! - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    if (mant > 0) sig++;
    digits++;
  }
  if (i < e && text[i]! === 46) {
    for (i++; i < e; i++) {
      c = text[i]! - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      if (mant > 0) sig++;
      digits++;
      scale--;
    }
  }
  if (digits === 0 || sig > 15) return NaN;
  if (i < e) {
    c = text[i]!;
    if (c !== 101 && c !== 69) return NaN;
    i++;
    let eneg = false;
    c = text[i]!;
    if (c === 45 || c === 43) {
      eneg = c === 45;
      i++;
    }
    let ex = 0;
    let ed = 0;
    for (; i < e; i++) {
      c = text[i]! - 48;
      if (c < 0 || c > 9 || ed > 4) return NaN;
      ex = ex * 10 + c;
      ed++;
    }
    if (ed === 0) return NaN;
    scale += eneg ? -ex : ex;
  }
  let v: number;
  if (mant === 0) v = 0;
  else if (scale >= 0 && scale <= 22) v = mant * POW10[scale]!;
  else if (scale < 0 && scale >= -22) v = mant / POW10[-scale]!;
  else return NaN;
  return neg ? -v : v;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11;
}

class Reader {
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

/** A carriage return not followed by a newline (old Mac line ends): left to csv-parse. */
function hasLoneCR(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = bytes.indexOf(13, from); i >= 0 && i < to; i = bytes.indexOf(13, i + 1)) if (i + 1 >= to || bytes[i + 1] !== 10) return true;
  return false;
}

function fileError(spec: DataSpec, message: string): Diagnostic {
  return { severity: 'error', code: 'missing-data-file', message, span: spec.pathSpan, file: spec.file };
}

function dataError(spec: DataSpec, message: string): Diagnostic {
  return { severity: 'error', code: 'bad-data', message, file: spec.path };
}
