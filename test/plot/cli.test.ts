// pmix plot and sample --png through spawned processes: real PNGs (magic bytes, decoded by
// pngjs at twice the SVG's size), other extensions refused by name, --from/--to rescaling the
// frame with nothing outside it, a seasonal GP mean drawn with its peaks (no zigzag), densities as merged contour paths, and sample --png refused on non-image models.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';
import { circles, pathPoints, plotArea, tickLabels } from './svg-read.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(args: readonly string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', input });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('pmix plot', () => {
  let dir: string;
  let toy: string;
  beforeAll(() => {
    dir = tempDir();
    toy = join(dir, 'toy.json');
    expect(pmix(['fit', 'examples/gp-toy.pmix', '--out', toy, '--no-progress']).code).toBe(0);
  });

  it('writes a real PNG for .png, SVG text for .svg, and refuses another extension by name', () => {
    const png = join(dir, 'toy.png');
    const r = pmix(['plot', toy, '--out', png]);
    expect(r.code).toBe(0);
    const bytes = readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const img = PNG.sync.read(bytes);
    expect([img.width, img.height]).toEqual([1280, 840]); // the 640 x 420 SVG at twice its size
    // Not blank: the picture has dark pixels (the text and the mean line) and white ones.
    let dark = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! + img.data[i + 1]! + img.data[i + 2]! < 200) dark++;
    expect(dark).toBeGreaterThan(500);

    const svgPath = join(dir, 'toy.svg');
    expect(pmix(['plot', toy, '--out', svgPath]).code).toBe(0);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(tickLabels(svg, 'x-ticks').length).toBeGreaterThanOrEqual(4);
    expect(tickLabels(svg, 'y-ticks').length).toBeGreaterThanOrEqual(4);
    expect(circles(svg)).toHaveLength(40);

    for (const bad of ['toy.jpg', 'toy']) {
      const out = join(dir, bad);
      const b = pmix(['plot', toy, '--out', out]);
      expect(b.code).toBe(2);
      expect(b.err).toMatch(bad === 'toy' ? /has no extension \(give a \.svg or \.png file\)/ : /'\.jpg' is not a picture format pmix writes \(give a \.svg or \.png file\)/);
      expect(b.err).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--from/--to rescale the frame: ticks inside the range, no point outside the plot area', () => {
    const out = join(dir, 'part.svg');
    expect(pmix(['plot', toy, '--out', out, '--from', '2', '--to', '6']).code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    const area = plotArea(svg);
    const xt = tickLabels(svg, 'x-ticks').map((l) => l.value);
    expect(xt[0]).toBe(2);
    expect(xt[xt.length - 1]).toBe(6);
    const data = readFileSync(join(root, 'examples/data/gp-toy.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    const pts = circles(svg);
    expect(pts).toHaveLength(data.filter((x) => x >= 2 && x <= 6).length);
    for (const c of pts) {
      expect(c.cx).toBeGreaterThanOrEqual(area.left);
      expect(c.cx).toBeLessThanOrEqual(area.right);
    }
    const mean = pathPoints(svg, 'mean');
    expect(mean[0]![0]).toBeCloseTo(area.left, 1);
    expect(mean[mean.length - 1]![0]).toBeCloseTo(area.right, 1);
  });

  it('draws a monthly seasonal mean with every peak at its height (sampled at the data resolution, no zigzag)', () => {
    const csv = join(dir, 'season.csv');
    const years = 60;
    const rows = Array.from({ length: years * 12 }, (_, i) => {
      const t = 1950 + i / 12 + 1 / 24;
      return `${t.toFixed(4)},${(Math.sin(2 * Math.PI * t) + 0.02 * (t - 1950)).toFixed(5)}`;
    });
    writeFileSync(csv, `t,y\n${rows.join('\n')}\n`);
    const file = join(dir, 'season.pmix');
    writeFileSync(file, `data s from "${csv}" { t: real, y: real }\nmodel S = gp(t: real -> y: real) {\n  kernel = 1 * periodic(period = 1 fixed, ls = 1) + 1 * rbf(ls = 30)\n  noise = 0.01 in [0.001, 1]\n}\nfit S on s by lbfgs(max_iter = 5, seed = 1)\n`);
    const model = join(dir, 'season.json');
    expect(pmix(['fit', file, '--out', model, '--no-progress']).code).toBe(0);
    const out = join(dir, 'season.svg');
    expect(pmix(['plot', model, '--out', out, '--from', '1950', '--to', '2010']).code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    // Pixels back to data units through two y tick labels (a label sits 4 px under its tick).
    const yt = tickLabels(svg, 'y-ticks');
    const [a, b] = [yt[0]!, yt[yt.length - 1]!];
    const value = (py: number): number => a.value + ((py - (a.y - 4)) * (b.value - a.value)) / (b.y - a.y);
    const px = (t: number): number => plotArea(svg).left + ((t - 1950) / 60) * (plotArea(svg).right - plotArea(svg).left);
    const mean = pathPoints(svg, 'mean');
    // Each year's peak (at t = year + 0.25) is drawn at its height: a curve sampled a few
    // times a year cuts the peaks off (by up to 1 - cos(pi / 5) = 0.19 at 5 samples a year).
    let worst = 0;
    for (let year = 1951; year < 2009; year++) {
      const inYear = mean.filter(([x]) => x >= px(year) && x < px(year + 1));
      const drawn = Math.max(...inYear.map(([, y]) => value(y)));
      worst = Math.max(worst, Math.abs(drawn - (1 + 0.02 * (year + 0.25 - 1950))));
    }
    expect(worst).toBeLessThan(0.02);
  }, 60_000);

  it('draws a 2-D KDE as contour bands (merged paths, no cells) and its modes', () => {
    const model = join(dir, 'faithful.json');
    expect(pmix(['fit', 'examples/faithful.pmix', '--out', model, '--no-progress']).code).toBe(0);
    const out = join(dir, 'faithful.png');
    expect(pmix(['plot', model, '--out', out]).code).toBe(0);
    expect(PNG.sync.read(readFileSync(out)).width).toBe(1280);
    const svgOut = join(dir, 'faithful.svg');
    expect(pmix(['plot', model, '--out', svgOut]).code).toBe(0);
    const svg = readFileSync(svgOut, 'utf8');
    const density = /<g class="density"[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
    expect(density).not.toContain('<rect');
    expect((density.match(/<path /g) ?? []).length).toBeLessThanOrEqual(10);
    expect(svg).toContain('2 modes');
    expect(circles(svg)).toHaveLength(272);
  });
});

describe('pmix repl :plot', () => {
  it('writes a PNG or an SVG by the extension and refuses another', () => {
    const dir = tempDir();
    const r = pmix(['repl', '--no-history', 'examples/football.pmix'], `:plot Goals home_goals away_goals ${dir}/two.png\n:plot Goals home_goals ${dir}/one.svg\n:plot Goals home_goals ${dir}/one.gif\n`);
    expect(r.out).toContain(`wrote ${dir}/two.png`);
    expect(PNG.sync.read(readFileSync(join(dir, 'two.png'))).height).toBe(840);
    const one = readFileSync(join(dir, 'one.svg'), 'utf8');
    expect(tickLabels(one, 'x-ticks').length).toBeGreaterThanOrEqual(3);
    expect(tickLabels(one, 'y-ticks').length).toBeGreaterThanOrEqual(3);
    expect(r.out).toMatch(/error: cannot write a picture to '.*one\.gif': '\.gif' is not a picture format/);
    expect(existsSync(join(dir, 'one.gif'))).toBe(false);
  }, 60_000);
});

describe('pmix sample --png', () => {
  it('refuses a model whose variables are not pixels, saying what it would need', () => {
    const dir = tempDir();
    const csv = join(dir, 'p.csv');
    writeFileSync(csv, `a,b,c,d\n${Array.from({ length: 30 }, (_, i) => `${i % 7},${(i * 13) % 11},${i % 5}.5,${(i * 7) % 3}.25`).join('\n')}\n`);
    const file = join(dir, 'p.pmix');
    writeFileSync(file, `data p from "${csv}" { a: real, b: real, c: real, d: real }\nmodel P = mixture(k = 2) of Normal\nfit P on p by em(max_iter = 5, seed = 1)\n`);
    const model = join(dir, 'p.json');
    expect(pmix(['fit', file, '--out', model, '--no-progress']).code).toBe(0);
    const png = join(dir, 's.png');
    const r = pmix(['sample', model, '-n', '4', '--png', png]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--png draws samples of image models, whose variables are the pixels of an image/);
    expect(r.err).toMatch(/this model's variables are real \(a: real, b: real, c: real, d: real\): if they are pixel intensities, give the image shape with --image HxW/);
    expect(existsSync(png)).toBe(false);
    // Stated as pixel intensities: drawn.
    expect(pmix(['sample', model, '-n', '4', '--png', png, '--image', '2x2']).code).toBe(0);
    expect(PNG.sync.read(readFileSync(png)).width).toBeGreaterThan(0);
  });
});
