// One problem repeated down a column is reported once with a count (issue 19): ten lines of
// the same error hid what was wrong; undeclared categorical levels name the others found.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvText, type DataSpec } from '../../../runtime/data/csv.js';
import { renderDiagnostic } from '../../../language/index.js';
import { tempDir } from '../../helpers/programs.js';

const spec = (columns: DataSpec['columns']): DataSpec => ({ name: 'd', path: 'd.csv', columns });
const colours = ['red', 'blue', 'pink', 'grey', 'teal', 'cyan', 'navy', 'lime', 'gold', 'plum', 'rose', 'pink'];

describe('repeated data errors', () => {
  it('an undeclared level: the first with its row, the rest as one "N more" line naming them', () => {
    const text = 'c\n' + colours.join('\n') + '\n';
    const r = parseCsvText(text, spec([{ name: 'c', type: { kind: 'categorical', levels: ['red', 'blue'] } }]));
    const msgs = r.diagnostics.map((d) => d.message);
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toBe("d.csv: row 3, column 'c': 'pink' is not one of the declared levels (red, blue)");
    // 10 bad rows in all: 9 more; the distinct others (pink repeats) are 8, 5 named.
    expect(msgs[1]).toMatch(/^d\.csv: column 'c': 9 more rows with undeclared levels \('grey', 'teal', 'cyan', 'navy', 'lime', and 3 more\)/);
  });

  it('text in a real column: once, then the count and the rows', () => {
    const text = 'x,y\n' + colours.map((c, i) => `${i},${c}`).join('\n') + '\n';
    const r = parseCsvText(text, spec([{ name: 'x', type: { kind: 'real' } }, { name: 'y', type: { kind: 'real' } }]));
    const msgs = r.diagnostics.map((d) => d.message);
    expect(msgs).toEqual([
      "d.csv: row 1, column 'y': 'red' is not a number (real column)",
      "d.csv: column 'y': 11 more rows where the value is not a number (real column) (rows 2, 3, 4, 5, 6, ...)",
    ]);
  });

  it('prints the path once per line', () => {
    const r = parseCsvText('x\nabc\n', spec([{ name: 'x', type: { kind: 'real' } }]));
    expect(renderDiagnostic(r.diagnostics[0]!, undefined)).toBe("d.csv: error: row 1, column 'x': 'abc' is not a number (real column)");
  });

  it('pmix check: a data error is not followed by "has no data: fit it first"', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'd.csv'), 'a,b\n1,x\n2,3\n');
    writeFileSync(join(dir, 'm.pmix'), 'data d from "d.csv" { a: real, b: real }\nmodel M = mixture(k = 2) of Normal(diag)\nfit M on d by em\nquery M: logp(a = 1)\n');
    const r = spawnSync(process.execPath, [new URL('../../../dist/cli/main.js', import.meta.url).pathname, 'check', join(dir, 'm.pmix')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("row 1, column 'b': 'x' is not a number");
    expect(r.stderr).not.toContain('has no data');
  });
});
