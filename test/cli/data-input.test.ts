// Bad data and huge input through the `pmix` command (built dist/cli/main.js): each is a
// message naming the place, exit 1, bounded output, no stack trace.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PMIX_BACKEND: '' }, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A fitted model over a real column x and a categorical c (levels blue, red), and its directory. */
function fitted(): { dir: string; model: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'd.csv'), 'x,c\n1,red\n2,blue\n3,red\n2.5,blue\n');
  writeFileSync(join(dir, 'm.pmix'), 'data d from "d.csv" { x: real, c: categorical }\nmodel M = mixture(k = 1) of product { x: Normal, c: Categorical }\nfit M on d by em(seed = 1)\n');
  const model = join(dir, 'm.json');
  const f = pmix('fit', join(dir, 'm.pmix'), '--out', model, '--no-progress');
  expect(f.code).toBe(0);
  return { dir, model };
}

describe('pmix score on bad data', () => {
  const { dir, model } = fitted();

  it('a header-only file is refused (it scored "0 over 0 rows" with exit 0)', () => {
    const data = join(dir, 'empty.csv');
    writeFileSync(data, 'x,c\n');
    const r = pmix('score', model, '--data', data);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: ${data}: no data rows to score (the file has a header only)`);
    expect(r.out).toBe('');
  });

  it('a 6 MiB cell with an unknown level: a short message, the cell clipped', () => {
    const data = join(dir, 'huge.csv');
    writeFileSync(data, `x,c\n1,${'z'.repeat(6 << 20)}\n2,red\n`);
    const r = pmix('score', model, '--data', data);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/row 1, column 'c': 'z+\.\.\.z+ \(6,291,456 characters\)' is not one of the declared levels \(blue, red\)/);
    expect(r.err.length).toBeLessThan(600);
  });

  it('a stray quote on line 20,002 of a large file is reported on that line (it said line 1)', () => {
    const data = join(dir, 'big.csv');
    const rows = ['x,c'];
    for (let i = 1; i < 60000; i++) rows.push(i === 20001 ? `${i},re"d` : `${i},${i % 2 ? 'red' : 'blue'}`);
    writeFileSync(data, rows.join('\n') + '\n');
    const r = pmix('score', model, '--data', data);
    expect(r.code).toBe(1);
    expect(r.err).toContain('at line 20002');
  });

  it('0x10, duplicate headers and Latin-1 bytes are refused where they are', () => {
    const hex = join(dir, 'hex.csv');
    writeFileSync(hex, 'x,c\n1,red\n0x10,blue\n');
    expect(pmix('score', model, '--data', hex).err).toContain("row 2, column 'x': '0x10' is not a decimal number (real column)");
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, 'x,c,x\n1,red,100\n');
    const d = pmix('score', model, '--data', dup);
    expect(d.code).toBe(1);
    expect(d.err).toContain("header row: columns 1 and 3 are both named 'x'");
    const latin = join(dir, 'latin.csv');
    writeFileSync(latin, Buffer.concat([Buffer.from('x,c\n1,red\n2,r'), Buffer.from([0xe9]), Buffer.from('d\n')]));
    const l = pmix('score', model, '--data', latin);
    expect(l.code).toBe(1);
    expect(l.err).toContain("row 2, column 'c': 'r\ufffdd' is not valid UTF-8 text");
  });
});

describe('pmix fit on bad data and model text', () => {
  it('a Poisson count of -3 is named by row, column, value and leaf before fitting (not "row 8 has zero density at iteration 1")', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), 'n\n1\n2\n3\n4\n5\n2\n1\n-3\n4\n');
    const file = join(dir, 'p.pmix');
    writeFileSync(file, 'data d from "p.csv" { n: int }\nmodel M = mixture(k = 2) of Poisson\nfit M on d by em(seed = 1)\n');
    for (const cmd of ['fit', 'check']) {
      const r = cmd === 'fit' ? pmix('fit', file, '--out', join(dir, 'o.json'), '--no-progress') : pmix('check', file);
      expect(r.code).toBe(1);
      expect(r.err).toContain("data set 'd': row 8, column 'n': -3 is outside the support of Poisson in model M (Poisson gives a density to counts 0, 1, 2, ... only)");
      expect(r.err).not.toContain('iteration');
    }
  });

  it('Latin-1 bytes in training data are refused with row and column (they became a level r\\ufffdd)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'd.csv'), Buffer.concat([Buffer.from('x,c\n1,blue\n2,r'), Buffer.from([0xe9]), Buffer.from('d\n')]));
    const file = join(dir, 'm.pmix');
    writeFileSync(file, 'data d from "d.csv" { x: real, c: categorical }\nmodel M = mixture(k = 1) of product { x: Normal, c: Categorical }\nfit M on d by em(seed = 1)\n');
    const r = pmix('fit', file, '--out', join(dir, 'o.json'), '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toContain("row 2, column 'c': 'r\ufffdd' is not valid UTF-8 text");
  });

  it('a 1 MB identifier in model text: a message of a few hundred bytes (it wrote 3.1 MB)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'd.csv'), 'x\n1\n2\n');
    const file = join(dir, 'm.pmix');
    writeFileSync(file, `data d from "d.csv" { x: real }\nmodel M = mixture(k = 1) of ${'Q'.repeat(1 << 20)}\nfit M on d by em\n`);
    const r = pmix('check', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain("unknown distribution or model 'QQQQ");
    expect(r.err).toContain("' (1,048,578 characters)"); // the quoted word: the name and its two quotes
    expect(r.err.length).toBeLessThan(1500);
  });
});
