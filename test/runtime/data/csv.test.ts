// CSV loading: typed columns, missing cells, and errors that name the row and the column.
import { describe, expect, it } from 'vitest';
import { parseCsvText, type DataSpec } from '../../../runtime/data/csv.js';

const spec = (columns: DataSpec['columns']): DataSpec => ({ name: 'd', path: 'd.csv', columns });

describe('CSV loading', () => {
  it('reads typed columns, with empty/NA/NaN cells as missing', () => {
    const { data, diagnostics } = parseCsvText('\uFEFFx,n,b,c,extra\r\n1.5,2,true,a,zz\r\n,NA,0,b,zz\r\nNaN,4,yes,,zz\r\n', spec([
      { name: 'x', type: { kind: 'real' } },
      { name: 'n', type: { kind: 'int' } },
      { name: 'b', type: { kind: 'bool' } },
      { name: 'c', type: { kind: 'categorical' } },
    ]));
    expect(diagnostics).toEqual([]);
    expect(data!.rows).toBe(3);
    expect(Array.from(data!.values.slice(0, 4))).toEqual([1.5, 2, 1, 0]);
    expect(Number.isNaN(data!.values[4]!)).toBe(true);
    expect(Number.isNaN(data!.values[5]!)).toBe(true);
    expect(data!.values[6]).toBe(0);
    expect(data!.values[7]).toBe(1);
    expect(Number.isNaN(data!.values[11]!)).toBe(true);
    expect(data!.columns[3]!.type).toEqual({ kind: 'categorical', levels: ['a', 'b'] });
  });

  it('names the row and column of a non-numeric cell in a real column', () => {
    const { data, diagnostics } = parseCsvText('x,y\n1,2\n3,abc\n', spec([
      { name: 'x', type: { kind: 'real' } },
      { name: 'y', type: { kind: 'real' } },
    ]));
    expect(data).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe("d.csv: row 2, column 'y': 'abc' is not a number (real column)");
  });

  it('rejects non-integers in int columns, unknown levels and ragged rows', () => {
    const r = parseCsvText('n,c\n1.5,a\n2,q\n3\n', spec([
      { name: 'n', type: { kind: 'int' } },
      { name: 'c', type: { kind: 'categorical', levels: ['a', 'b'] } },
    ]));
    const msgs = r.diagnostics.map((d) => d.message);
    expect(msgs).toContain("d.csv: row 1, column 'n': '1.5' is not an integer (int column)");
    expect(msgs).toContain("d.csv: row 3, column 'n': the row has 1 fields but the header has 2");
  });

  it('reports an unknown level with the levels declared', () => {
    const r = parseCsvText('c\na\nbb\n', spec([{ name: 'c', type: { kind: 'categorical', levels: ['a', 'b'] } }]));
    expect(r.diagnostics[0]!.message).toBe("d.csv: row 2, column 'c': 'bb' is not one of the declared levels (a, b); did you mean 'b'?");
  });

  it('reports a missing header column with a suggestion, and an empty file', () => {
    const r = parseCsvText('waiting\n1\n', spec([{ name: 'wating', type: { kind: 'real' } }]));
    expect(r.diagnostics[0]!.code).toBe('unknown-column');
    expect(r.diagnostics[0]!.hint).toBe("did you mean 'waiting'?");
    expect(parseCsvText('', spec([{ name: 'x', type: { kind: 'real' } }])).diagnostics[0]!.message).toMatch(/empty/);
  });
});
