// Reads a CSV file in batches of rows without holding the file in memory (streaming EM and
// `pmix score` on data larger than memory). Rows are typed as loadCsv types them (csv.ts:
// the same missing-value tokens, bools, ints, categorical levels) and every problem is a
// diagnostic naming the file, the row and the column. The file is read synchronously in
// chunks of a few MiB, cut at the last record boundary (a newline outside quotes); a chunk
// without a quote character is split by a hand-written scanner with a correctly rounded fast
// path for plain decimal numbers, any other chunk goes through csv-parse with loadCsv's
// options. Each call of batches() reads the file again from the start (csv-reader.ts; the byte
// scanning is csv-bytes.ts).
import { parse } from 'csv-parse/sync';
import type { Diagnostic } from '../../language/index.js';
import { clipText } from '../../language/index.js';
import { invalidUtf8Message, isUtf8 } from './cell-checks.js';
import type { IRVariable, VarType } from '../../ir/types.js';
import { hostFs } from '../../platform/host.js';
import { headerColumns, type DataSpec } from './csv.js';
import { isSpace, mib, recordBoundary } from './csv-bytes.js';
import { dataError, DataStreamError, fileError, Reader, type RowBatch } from './csv-reader.js';

export { DataStreamError, type RowBatch } from './csv-reader.js';

const DEFAULT_CHUNK_BYTES = 4 << 20;
/**
 * The longest record read (default 16 MiB): a stray quote makes the rest of the file one
 * record, which would otherwise be held whole (and parsed whole) before csv-parse reports it.
 */
const DEFAULT_MAX_RECORD_BYTES = 16 << 20;

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
