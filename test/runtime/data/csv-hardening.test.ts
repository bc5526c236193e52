// Bad CSV input refused where it is, by the loader (loadCsv) and the streaming reader alike:
// duplicate header names, non-decimal numbers, bytes that are not UTF-8, and a stray quote in
// a large file (bounded memory, the file's own line number).
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsv, type ColumnSpec } from '../../../runtime/data/csv.js';
import { DataStreamError, openCsvStream, type CsvStreamOptions } from '../../../runtime/data/csv-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'pmix-csv-hard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function file(content: string | Uint8Array): string {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

/** The first message of loading, or undefined when the file loads. */
function loadMessage(path: string, columns: ColumnSpec[]): string | undefined {
  const r = loadCsv({ name: 't', path, columns });
  return r.data ? undefined : r.diagnostics[0]!.message;
}

/** The first message of streaming every row, or undefined when the file streams. */
function streamMessage(path: string, columns: ColumnSpec[], opts: CsvStreamOptions = {}): string | undefined {
  const { stream, diagnostics } = openCsvStream({ name: 't', path, columns }, opts);
  if (!stream) return diagnostics[0]!.message;
  try {
    for (const _ of stream.batches(1000)) void _;
  } catch (e) {
    if (e instanceof DataStreamError) return e.diagnostics[0]!.message;
    throw e;
  }
  return undefined;
}

const REAL: ColumnSpec[] = [{ name: 'x', type: { kind: 'real' } }];

describe('duplicate header names', () => {
  it('are refused on the header row, naming both columns (the first used to win silently)', () => {
    const path = file('x,y,x\n1,2,3\n4,5,6\n');
    const want = `${path}: header row: columns 1 and 3 are both named 'x'; every column needs its own name`;
    expect(loadMessage(path, REAL)).toBe(want);
    expect(streamMessage(path, REAL)).toBe(want);
    // Even when the model reads another column: which 'x' a later model reads must not be a guess.
    expect(loadMessage(path, [{ name: 'y', type: { kind: 'real' } }])).toBe(want);
  });

  it('unnamed (empty) columns may repeat', () => {
    const path = file('x,,\n1,2,3\n');
    expect(loadMessage(path, REAL)).toBeUndefined();
    expect(streamMessage(path, REAL)).toBeUndefined();
  });
});

describe('non-decimal numbers', () => {
  it('0x10, 0b101, 0o17 are refused with row and column in real and int columns', () => {
    for (const kind of ['real', 'int'] as const) {
      for (const cell of ['0x10', '0b101', '0O17', '-0x1', '+0B1']) {
        const path = file(`x\n1\n${cell}\n`);
        const want = `${path}: row 2, column 'x': '${cell}' is not a decimal number (${kind} column): hexadecimal, octal and binary numbers are not read`;
        const cols: ColumnSpec[] = [{ name: 'x', type: { kind } }];
        expect(loadMessage(path, cols)).toBe(want);
        expect(streamMessage(path, cols)).toBe(want);
      }
    }
  });

  it('decimal forms Number() reads the same as a person still load, with their decimal values', () => {
    const cells = ['0', '00012', '.5', '5.', '+3', '-0.25', '1e3', '1E-3', '0.1'];
    const path = file(`x\n${cells.join('\n')}\n`);
    const r = loadCsv({ name: 't', path, columns: REAL });
    expect(Array.from(r.data!.values)).toEqual([0, 12, 0.5, 5, 3, -0.25, 1000, 0.001, 0.1]);
    expect(streamMessage(path, REAL)).toBeUndefined();
  });
});

describe('bytes that are not UTF-8', () => {
  const COLS: ColumnSpec[] = [{ name: 'n', type: { kind: 'real' } }, { name: 'c', type: { kind: 'categorical' } }];
  // 'r\xe9d' is "red" with an e-acute in Latin-1: one byte 0xE9, not a UTF-8 sequence.
  const latin1 = (quoted: boolean): Uint8Array => Buffer.concat([Buffer.from(`n,c\n1,blue\n2,${quoted ? '"' : ''}r`), Buffer.from([0xe9]), Buffer.from(`d${quoted ? '"' : ''}\n3,blue\n`)]);

  it('are refused with row and column (they used to become a level r\\ufffdd)', () => {
    for (const quoted of [false, true]) {
      const path = file(latin1(quoted));
      const want = `${path}: row 2, column 'c': 'r\ufffdd' is not valid UTF-8 text`;
      expect(loadMessage(path, COLS)).toContain(want);
      expect(streamMessage(path, COLS)).toContain(want);
      // Declared levels: the same, not "not one of the declared levels".
      const declared: ColumnSpec[] = [COLS[0]!, { name: 'c', type: { kind: 'categorical', levels: ['blue', 'red'] } }];
      expect(loadMessage(path, declared)).toContain(want);
      expect(streamMessage(path, declared)).toContain(want);
    }
  });

  it('in the header: refused on the header row', () => {
    const path = file(Buffer.concat([Buffer.from('n,c'), Buffer.from([0xff]), Buffer.from('\n1,2\n')]));
    expect(loadMessage(path, [COLS[0]!])).toContain('header row, column 2');
    expect(streamMessage(path, [COLS[0]!])).toContain('not valid UTF-8');
  });

  it('a real U+FFFD written as UTF-8 is text like any other', () => {
    const path = file('n,c\n1,a\ufffdb\n');
    const r = loadCsv({ name: 't', path, columns: COLS });
    expect(r.data!.columns[1]!.type).toEqual({ kind: 'categorical', levels: ['a\ufffdb'] });
    expect(streamMessage(path, COLS)).toBeUndefined();
  });
});

describe('a stray quote in a large file', () => {
  /** ~3 MB: 60,000 data rows, the bad cell on file line `line`. */
  function bigFile(line: number, bad: string): string {
    const rows = ['id,island,x'];
    for (let i = 1; i < 60000; i++) rows.push(i + 1 === line ? `${i},${bad},${i * 0.5}` : `${i},Torgersen,${i * 0.5}`);
    return file(rows.join('\n') + '\n');
  }

  it('a quote inside a field: the same line as loadCsv names (it used to say line 1), for any chunk size', () => {
    const path = bigFile(20002, 'Torg"ersen');
    const cols: ColumnSpec[] = [{ name: 'x', type: { kind: 'real' } }];
    const want = loadMessage(path, cols)!;
    expect(want).toContain('at line 20002');
    for (const chunkBytes of [1024, 65536, 4 << 20]) expect(streamMessage(path, cols, { chunkBytes })).toBe(want);
  });

  it('a quote opening a field and never closed: both name the line of the quote, not the end of the file', () => {
    const path = bigFile(20002, '"Torgersen');
    const want = `'${path}' is not valid CSV: Quote Not Closed: a quote opened on line 20002 is never closed; is there a stray '"'?`;
    expect(loadMessage(path, REAL)).toBe(want);
    expect(streamMessage(path, REAL)).toBe(want);
    // With a bound below the rest of the file: stopped at the bound, the same line.
    expect(streamMessage(path, REAL, { chunkBytes: 65536, maxRecordBytes: 256 << 10 })).toBe(`'${path}' is not valid CSV: a quote opened on line 20002 (row 20001) is not closed within 256 KiB; is there a stray '"'?`);
    // A quote inside a field past the bound: csv-parse's reason from a window around it.
    const mid = bigFile(20002, 'Torg"ersen');
    expect(streamMessage(mid, REAL, { chunkBytes: 65536, maxRecordBytes: 256 << 10 })).toBe(loadMessage(mid, REAL));
  });

  it('an unclosed quote: refused once the open record passes the limit, not after holding the rest of the file', () => {
    // The quote closes 30,000 lines (~1.3 MB) later: without a bound the reader would hold all
    // of it as one record; with a 256 KiB bound it stops there and names the quote's line.
    const rows = ['id,island,x'];
    for (let i = 1; i < 60000; i++) rows.push(i === 20001 ? `${i},"Torgersen,${i}` : i === 50001 ? `${i},Biscoe",${i}` : `${i},Torgersen,${i}`);
    const path = file(rows.join('\n') + '\n');
    const msg = streamMessage(path, REAL, { chunkBytes: 65536, maxRecordBytes: 256 << 10 });
    expect(msg).toBe(`'${path}' is not valid CSV: a quote opened on line 20002 (row 20001) is not closed within 256 KiB; is there a stray '"'?`);
  });

  it('property: any stray quote position and chunk size, stream and loadCsv name the same line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 400 }), fc.integer({ min: 1024, max: 8192 }), fc.constantFrom('a"b', 'ab"', '"ab'), (line, chunkBytes, bad) => {
        const rows = ['id,island,x'];
        for (let i = 1; i < 400; i++) rows.push(i + 1 === line ? `${i},${bad},${i}` : `${i},island ${i},${i}`);
        const path = file(rows.join('\n') + '\n');
        const want = loadMessage(path, REAL);
        expect(want).toMatch(new RegExp(`line ${line}\\b`));
        expect(streamMessage(path, REAL, { chunkBytes })).toBe(want);
      }),
      { numRuns: 60 },
    );
  });
});

describe('old Mac line ends (lone CR)', () => {
  it('a CR-only file many chunks long streams the rows loadCsv loads (records are cut at a lone CR too)', () => {
    const rows = ['x,c'];
    for (let i = 0; i < 3000; i++) rows.push(`${i * 0.5},${i % 3 ? 'a' : '"b"'}`);
    const path = file(rows.join('\r') + '\r');
    const cols: ColumnSpec[] = [REAL[0]!, { name: 'c', type: { kind: 'categorical' } }];
    const want = loadCsv({ name: 't', path, columns: cols }).data!;
    expect(want.rows).toBe(3000);
    for (const chunkBytes of [1024, 5000]) {
      const { stream } = openCsvStream({ name: 't', path, columns: cols }, { chunkBytes, maxRecordBytes: 4096 });
      const got: number[] = [];
      for (const b of stream!.batches(700)) got.push(...b.values.subarray(0, b.n * 2));
      expect(got).toEqual(Array.from(want.values));
    }
  });
});
