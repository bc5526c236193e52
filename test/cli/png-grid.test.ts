// The PNG sample grid: decoded back with pngjs, sizes and grey levels are as drawn; and
// `pmix sample --png/--image` (in process) writes it or fails clearly on a wrong shape.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { sampleCommand } from '../../cli/commands/sample.js';
import { Exit, type Output } from '../../cli/io.js';
import { parseImageShape, pngGrid } from '../../cli/png-grid.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { runFits, tempDir, writeCsv } from '../helpers/programs.js';

const grey = (png: PNG, x: number, y: number): number => {
  const i = 4 * (y * png.width + x);
  expect(png.data[i]).toBe(png.data[i + 1]);
  expect(png.data[i]).toBe(png.data[i + 2]);
  return png.data[i]!;
};

describe('pngGrid', () => {
  it('lays out scaled images with padding, as grey scale', () => {
    // 3 images of 2x3; pixel value of image k at (r, c) is ((k + r + c) % 2).
    const n = 3, h = 2, w = 3;
    const x = Float64Array.from({ length: n * h * w }, (_, i) => {
      const k = Math.floor(i / (h * w)), r = Math.floor((i % (h * w)) / w), c = i % w;
      return (k + r + c) % 2;
    });
    const buf = pngGrid(x, n, h, w, { cols: 2, scale: 2, pad: 1 });
    const png = PNG.sync.read(buf);
    expect(png.colorType).toBe(0);
    expect([png.width, png.height]).toEqual([2 * (3 * 2 + 1) + 1, 2 * (2 * 2 + 1) + 1]);
    for (let k = 0; k < n; k++) {
      const x0 = 1 + (k % 2) * 7, y0 = 1 + Math.floor(k / 2) * 5;
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) for (const [dx, dy] of [[0, 0], [1, 1], [0, 1], [1, 0]]) {
        expect(grey(png, x0 + 2 * c + dx!, y0 + 2 * r + dy!)).toBe(((k + r + c) % 2) * 255);
      }
    }
    // padding, the border and the empty fourth slot are mid grey
    for (const [px, py] of [[0, 0], [7, 2], [3, 5], [10, 8], [14, 10]]) expect(grey(png, px!, py!)).toBe(128);
  });

  it('maps levels 0..L-1 (or a given range) onto black..white', () => {
    const png = PNG.sync.read(pngGrid(Float64Array.from([0, 1, 2, 3]), 1, 1, 4, { scale: 1, pad: 0 }));
    expect([png.width, png.height]).toEqual([4, 1]);
    expect([0, 1, 2, 3].map((c) => grey(png, c, 0))).toEqual([0, 85, 170, 255]);
    const fixed = PNG.sync.read(pngGrid(Float64Array.from([0, 1, NaN]), 1, 1, 3, { scale: 1, pad: 0, min: 0, max: 2 }));
    expect([0, 1, 2].map((c) => grey(fixed, c, 0))).toEqual([0, 128, 128]);
  });

  it('defaults to a square-ish grid', () => {
    const png = PNG.sync.read(pngGrid(new Float64Array(10 * 4), 10, 2, 2));
    // ceil(sqrt(10)) = 4 columns, 3 rows; scale 4, pad 2
    expect([png.width, png.height]).toEqual([4 * (8 + 2) + 2, 3 * (8 + 2) + 2]);
  });

  it('rejects a wrong number of values', () => {
    expect(() => pngGrid(new Float64Array(5), 1, 2, 2)).toThrow(/5 values for 1 images of 2x2/);
  });

  it('parses HxW', () => {
    expect(parseImageShape('8x8')).toEqual({ h: 8, w: 8 });
    expect(parseImageShape(' 28 X 14 ')).toEqual({ h: 28, w: 14 });
    for (const bad of ['8', '8x', 'x8', '0x4', '8x8x1', '-2x3', '2.5x2']) expect(parseImageShape(bad)).toBeUndefined();
  });
});

describe('pmix sample --png', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Output = { json: false, out: (t) => out.push(t), err: (t) => err.push(t) };
    return { io, out, err };
  };
  const fitted = (vars: string[]) => {
    const dir = tempDir();
    const rows = Array.from({ length: 40 }, (_, i) => vars.map((_, j) => (i >> j) % 2));
    const data = writeCsv(vars, rows, dir);
    const s = runFits(`data d from "${data}" { ${vars.map((v) => `${v}: bool`).join(', ')} }
model M = mixture(k = 2) of Bernoulli
fit M on d by em(max_iter = 5, seed = 1)`);
    const path = join(dir, 'm.json');
    writeFileSync(path, serializeArtifact(s.artifact('M')));
    return { dir, path };
  };
  const exitCode = (f: () => void): number => {
    try {
      f();
    } catch (e) {
      if (e instanceof Exit) return e.code;
      throw e;
    }
    return 0;
  };

  it('writes the samples as a grid of images (default square shape)', () => {
    const { dir, path } = fitted(['a', 'b', 'c', 'e']);
    const c = capture();
    const png = join(dir, 'grid.png');
    sampleCommand(path, { n: 5, seed: 1, png }, c.io);
    expect(c.out.join('\n')).toMatch(/a.*b.*c.*e/); // the samples still go to stdout
    expect(c.err.join('\n')).toMatch(/wrote 5 samples as 2x2 images/);
    const img = PNG.sync.read(readFileSync(png));
    expect([img.width, img.height]).toEqual([3 * (8 + 2) + 2, 2 * (8 + 2) + 2]);
    const values = new Set<number>();
    for (let y = 2; y < 10; y++) for (let x = 2; x < 10; x++) values.add(grey(img, x, y));
    for (const v of values) expect([0, 255]).toContain(v);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('takes --image HxW and fails clearly when it does not fit the variables', () => {
    const { dir, path } = fitted(['a', 'b', 'c', 'e', 'f', 'g']);
    const png = join(dir, 'grid.png');
    const ok = capture();
    sampleCommand(path, { n: 2, seed: 0, png, image: '2x3' }, ok.io);
    expect(PNG.sync.read(readFileSync(png)).width).toBe(2 * (12 + 2) + 2);

    const png2 = join(dir, 'other.png');
    const bad = capture();
    expect(exitCode(() => sampleCommand(path, { n: 2, seed: 0, png: png2, image: '3x3' }, bad.io))).toBe(2);
    expect(bad.err.join('\n')).toMatch(/--image 3x3 has 9 pixels but the model has 6 variables/);
    const square = capture();
    expect(exitCode(() => sampleCommand(path, { n: 2, seed: 0, png: png2 }, square.io))).toBe(2);
    expect(square.err.join('\n')).toMatch(/6 variables, not a square number: give the image shape with --image HxW/);
    const form = capture();
    expect(exitCode(() => sampleCommand(path, { n: 2, seed: 0, png: png2, image: 'big' }, form.io))).toBe(2);
    expect(form.err.join('\n')).toMatch(/--image 'big' is not of the form HxW/);
    expect(existsSync(png2)).toBe(false);

    const nodir = capture();
    expect(exitCode(() => sampleCommand(path, { n: 2, seed: 0, png: join(dir, 'missing', 'x.png'), image: '2x3' }, nodir.io))).toBe(1);
    expect(nodir.err.join('\n')).toMatch(/cannot write PNG .*no such directory/);
  });
});
