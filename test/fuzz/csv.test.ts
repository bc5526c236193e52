// Fuzzes CSV data: random and hostile texts (ragged rows, empty, header only, huge numbers,
// NaN/Inf words, BOM, CRLF, quoted fields with commas and newlines, wrong types, duplicate
// header names, very long fields) through parseCsvText and through a fit. The result is a
// typed data set or diagnostics naming the row and column; never a throw, never NaN in
// fitted parameters.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvText, type DataSpec } from '../../runtime/data/csv.js';
import { tempDir } from '../helpers/programs.js';
import { reportCases, runs, seed } from './config.js';
import { runPipeline } from './pipeline.js';

const COLUMNS = ['x', 'y', 'n', 'b', 'c'];
const HEADER_NAMES = [...COLUMNS, 'x', '', 'extra', '"x,y"', ' x', 'X', '\uFEFFx', '"n"'];
const CELLS = [
  '1', '-2.5', '0', '3', '7', '1e300', '-1e300', '1e308', '5e-324', '1e-320', '-0', 'NaN', 'nan', 'NA', '', '?', 'null',
  'Inf', '-Inf', 'Infinity', 'inf', 'true', 'false', 'yes', 'no', 'T', 'a', 'b', 'zz', '"quoted, comma"', '"multi\nline"',
  '"say ""hi"""', '0x10', ' 3 ', '1_000', '1,5', '\u0663', '\u0000', '"unterminated', '1e', '--1', 'x'.repeat(5000), '2.5e3',
];

const spec = (path: string): DataSpec => ({
  name: 'd',
  path,
  columns: [
    { name: 'x', type: { kind: 'real' } },
    { name: 'y', type: { kind: 'real' } },
    { name: 'n', type: { kind: 'int' } },
    { name: 'b', type: { kind: 'bool' } },
    { name: 'c', type: { kind: 'categorical' } },
  ],
});

const num = fc.double({ min: -50, max: 50, noNaN: true }).map((v) => String(Math.round(v * 100) / 100));
const cleanRow = fc.tuple(num, num, fc.nat({ max: 9 }).map(String), fc.constantFrom('true', 'false'), fc.constantFrom('a', 'b', 'c')).map((r) => [...r]);
const extremeRow = fc.tuple(fc.constantFrom('1e300', '-1e300', '1e308', '5e-324', '1e-320', '', 'NA'), fc.constantFrom('0.5', '-1e300', '5e-324', '')).map(([a, b]) => [a, b, '1', 'true', 'a']);
const hostileRow = fc.oneof(fc.array(fc.constantFrom(...CELLS), { minLength: 5, maxLength: 5 }), fc.array(fc.constantFrom(...CELLS), { maxLength: 8 }));

/** A CSV text: a header (often the right one), ragged rows of hostile cells, BOM/CRLF variants. */
const csvText: fc.Arbitrary<string> = fc
  .record({
    header: fc.oneof({ weight: 3, arbitrary: fc.constant(COLUMNS) }, { weight: 1, arbitrary: fc.array(fc.constantFrom(...HEADER_NAMES), { maxLength: 7 }) }),
    rows: fc.oneof(
      fc.array(cleanRow, { minLength: 10, maxLength: 40 }),
      fc.tuple(fc.array(cleanRow, { minLength: 10, maxLength: 40 }), extremeRow, fc.nat()).map(([rows, x, at]) => [...rows.slice(0, at % (rows.length + 1)), x, ...rows.slice(at % (rows.length + 1))]),
      fc.array(fc.oneof({ weight: 6, arbitrary: cleanRow }, { weight: 1, arbitrary: extremeRow }, { weight: 1, arbitrary: hostileRow }), { maxLength: 40 }),
    ),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    trailing: fc.constantFrom('', '\n', '\n\n', ',', '"'),
  })
  .map(({ header, rows, eol, bom, trailing }) => (bom ? '\uFEFF' : '') + [header, ...rows].map((r) => r.join(',')).join(eol) + trailing);

const anyText = fc.oneof(csvText, fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', '\uFEFF', 'x,y,n,b,c', 'x,y,n,b,c\n', '\n\n\n', ',,,,'));

const ROW_COLUMN = /row \d+, column '[^']*'/;
// A header row naming one column twice, or bytes that are not UTF-8 in it, is refused on the header row.
const FILE_LEVEL = /is empty|is not valid CSV|more bad cells|column '[^']*': \d+ more rows|is not in the header|no data rows|header row(:|, column \d+:)/;

/** parseCsvText's contract: typed values or diagnostics that say where. */
function checkParse(text: string): void {
  const { data, diagnostics } = parseCsvText(text, spec('d.csv'));
  if (!data) {
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const d of diagnostics) expect(d.message).toMatch(new RegExp(`${ROW_COLUMN.source}|${FILE_LEVEL.source}`));
    return;
  }
  expect(diagnostics).toEqual([]);
  const w = data.columns.length;
  for (let i = 0; i < data.values.length; i++) {
    const v = data.values[i]!;
    if (Number.isNaN(v)) continue; // missing
    expect(Number.isFinite(v)).toBe(true);
    const t = data.columns[i % w]!.type;
    if (t.kind === 'int') expect(Number.isInteger(v)).toBe(true);
    if (t.kind === 'bool') expect(v === 0 || v === 1).toBe(true);
    if (t.kind === 'categorical') expect(v >= 0 && v < t.levels.length && Number.isInteger(v)).toBe(true);
  }
}

const dir = tempDir();
const MODEL = `data d from "fuzz.csv" { x: real, y: real, n: int, b: bool, c: categorical }
model M = mixture(k = 2) of product { (x, y): Normal(diag), n: Poisson, b: Bernoulli, c: Categorical }
model F = mixture(k = 2) of product { (x, y): Normal(full), n: Normal, b: Bernoulli, c: Categorical }
fit M on d by em(max_iter = 8, restarts = 2)
fit F on d by em(max_iter = 8, reg_covar = 1e-9)
query M: p(x | b = true)
query F: mean()
query M: sample(2, seed = 1)
`;
writeFileSync(join(dir, 'fuzz.pmix'), MODEL);

let cases = 0;
const tally: Record<string, number> = {};
afterAll(() => reportCases('CSV texts (parse + fit)', cases));

describe('hostile CSV data', () => {
  it('parseCsvText: typed values or diagnostics naming the row and column, never a throw', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        cases++;
        checkParse(t);
      }),
      { numRuns: runs(2500), seed: seed() },
    );
  });

  it('a fit on the data: a result with finite parameters or an expected error', () => {
    fc.assert(
      fc.property(csvText, (t) => {
        cases++;
        writeFileSync(join(dir, 'fuzz.csv'), t);
        const o = runPipeline(MODEL, dir);
        tally[o] = (tally[o] ?? 0) + 1;
      }),
      { numRuns: runs(800), seed: seed() },
    );
    // Most texts must reach the fit, not stop at the data's diagnostics.
    expect((tally['ran'] ?? 0) + (tally['step-error'] ?? 0)).toBeGreaterThan(runs(800) / 5);
  });
});
