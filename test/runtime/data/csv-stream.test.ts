// The streaming CSV reader against loadCsv: on random files (ragged rows, blank lines, CRLF,
// quoted fields, missing-value tokens, bad cells, numbers of every shape) it yields the same
// typed rows in any batch and chunk size, or the same row/column diagnostics.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsv, type ColumnSpec } from '../../../runtime/data/csv.js';
import { DataStreamError, openCsvStream } from '../../../runtime/data/csv-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'pmix-csv-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS: ColumnSpec[] = [
  { name: 'a', type: { kind: 'real' } },
  { name: 'b', type: { kind: 'int' } },
  { name: 'c', type: { kind: 'bool' } },
  { name: 'd', type: { kind: 'categorical' } },
];

/** All rows of a stream, concatenated; or its diagnostics. */
function readAll(path: string, columns: ColumnSpec[], batch: number, chunkBytes: number): { values?: number[]; rows?: number; levels?: unknown; messages?: string[] } {
  const { stream, diagnostics } = openCsvStream({ name: 't', path, columns }, { chunkBytes });
  if (!stream) return { messages: diagnostics.map((d) => d.message) };
  const values: number[] = [];
  try {
    for (const b of stream.batches(batch)) {
      expect(b.n).toBeLessThanOrEqual(batch);
      expect(b.first).toBe(values.length / columns.length);
      values.push(...b.values.subarray(0, b.n * columns.length));
    }
  } catch (e) {
    if (e instanceof DataStreamError) return { messages: e.diagnostics.map((d) => d.message) };
    throw e;
  }
  return { values, rows: stream.rows, levels: stream.columns.map((c) => c.type) };
}

const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('0', '-0', '1e5', '1.5E-3', '.5', '5.', '+3', '0.1', '123456789012345678', '1e400', '1e-400', '0x10', 'abc', '', 'NA', 'nan', ' 7 ', '1_0', '-', 'Infinity', '3.14159265358979323846'),
);
const cellText = fc.oneof(numberText, fc.constantFrom('true', 'false', 'yes', 'no', 'x', 'y', '"q,uoted"', '"2"', ' z ', 'NA', '?'));

describe('openCsvStream', () => {
  it('yields what loadCsv loads, for any batch and chunk size', () => {
    let k = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(numberText, fc.integer({ min: -3, max: 40 }).map(String), fc.constantFrom('true', 'false', '1', '0', 'yes', 'NA', ''), fc.constantFrom('x', 'y', 'z w', 'NA', '', 'é', '日本')), { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1024, max: 4096 }),
        (rows, eol, blankLines, batch, chunkBytes) => {
          const lines = ['a,b,c,d', ...rows.map((r) => r.join(','))];
          if (blankLines) lines.splice(Math.min(2, lines.length), 0, '', '  ');
          const path = join(dir, `ok-${k++}.csv`);
          writeFileSync(path, lines.join(eol) + eol);
          const want = loadCsv({ name: 't', path, columns: COLUMNS });
          const got = readAll(path, COLUMNS, batch, chunkBytes);
          if (!want.data) {
            expect(got.messages).toBeDefined();
            // The same first problem, naming the same row and column.
            expect(got.messages![0]).toBe(want.diagnostics[0]!.message);
            return;
          }
          expect(got.messages).toBeUndefined();
          expect(got.rows).toBe(want.data.rows);
          expect(got.levels).toEqual(want.data.columns.map((c) => c.type));
          expect(got.values!.map((v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(want.data.values, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random cells (quotes, wrong types, ragged rows) give loadCsv diagnostics or rows', () => {
    let k = 0;
    fc.assert(
      fc.property(fc.array(fc.array(cellText, { minLength: 3, maxLength: 5 }), { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (rows, batch) => {
        const path = join(dir, `rand-${k++}.csv`);
        writeFileSync(path, ['a,b,c,d', ...rows.map((r) => r.join(','))].join('\n'));
        const cols: ColumnSpec[] = [COLUMNS[0]!, { name: 'b', type: { kind: 'real' } }, { name: 'd', type: { kind: 'categorical' } }];
        const want = loadCsv({ name: 't', path, columns: cols });
        const got = readAll(path, cols, batch, 1024);
        if (!want.data) {
          expect(got.messages?.[0]).toBe(want.diagnostics[0]!.message);
          return;
        }
        expect(got.messages).toBeUndefined();
        expect(got.values!.map(String)).toEqual(Array.from(want.data.values, String));
      }),
      { numRuns: 300 },
    );
  });

  it('names a missing file and a missing column', () => {
    expect(openCsvStream({ name: 't', path: join(dir, 'nope.csv'), columns: COLUMNS }).diagnostics[0]!.message).toMatch(/no such file/);
    const path = join(dir, 'cols.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    expect(openCsvStream({ name: 't', path, columns: COLUMNS }).diagnostics[0]!.message).toMatch(/column 'c' is not in the header/);
  });

  it('reads a file many chunks long with a bounded buffer, and again on each pass', () => {
    const path = join(dir, 'long.csv');
    const n = 20000;
    const lines = ['x,y'];
    for (let i = 0; i < n; i++) lines.push(`${i * 0.25},${-i}`);
    writeFileSync(path, lines.join('\n'));
    const { stream } = openCsvStream({ name: 't', path, columns: [{ name: 'y', type: { kind: 'int' } }, { name: 'x', type: { kind: 'real' } }] }, { chunkBytes: 4096 });
    for (let pass = 0; pass < 2; pass++) {
      let seen = 0;
      for (const b of stream!.batches(999)) {
        for (let r = 0; r < b.n; r++) {
          const i = b.first + r;
          expect([b.values[2 * r], b.values[2 * r + 1]]).toEqual([-i || 0, i * 0.25]);
        }
        seen += b.n;
      }
      expect(seen).toBe(n);
      expect(stream!.rows).toBe(n);
    }
  });
});
