// The plot module (plot/): ticks and labels on both axes at round values and at the right
// places, frames that clip and leave out points outside them, densities drawn as merged
// contour paths (no grid of cells), curves sampled at the data's resolution.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curveGrid, dataResolution, density2dSvg, makeFrame, pointsLayer, regressionSvg, renderFrame } from '../../plot/index.js';
import { circles, isRound, plotArea, tickLabels } from './svg-read.js';

const niceSteps = (span: number): number[] => {
  const p = 10 ** Math.floor(Math.log10(span));
  return [p / 10, p / 5, p / 2, p, 2 * p, 5 * p];
};

describe('frame axes', () => {
  it('labels both axes with at least three round ticks, placed by the linear map of the domain', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e5, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: 0.01, max: 500, noNaN: true }),
        (x0, xw, y0, yw) => {
          const spec = { x: { domain: [x0, x0 + xw] as const, label: 'x' }, y: { domain: [y0, y0 + yw] as const, label: 'y' } };
          const svg = renderFrame(makeFrame(spec), spec, {});
          const area = plotArea(svg);
          for (const [axis, [a, w]] of [['x-ticks', [x0, xw]], ['y-ticks', [y0, yw]]] as const) {
            const labels = tickLabels(svg, axis);
            expect(labels.length, `${axis} ${a} ${w} ${JSON.stringify(labels.map((l) => l.text))}`).toBeGreaterThanOrEqual(3); // d3 gives count/2.2 at worst
            const values = labels.map((l) => l.value);
            values.forEach((v) => expect(Number.isFinite(v), `finite ${v}`).toBe(true));
            // Evenly spaced round values inside the domain.
            const step = (values[values.length - 1]! - values[0]!) / (values.length - 1);
            const nice = niceSteps(w).find((s) => Math.abs(step - s) / s < 1e-6);
            expect(nice, `step ${step} of ${w}`).toBeDefined();
            for (const v of values) {
              expect(v).toBeGreaterThanOrEqual(a - 1e-9 * Math.max(1, Math.abs(a)));
              expect(v).toBeLessThanOrEqual(a + w + 1e-9 * Math.max(1, Math.abs(a + w)));
            }
            // Where each label sits: the test's own linear map.
            for (const l of labels) {
              if (axis === 'x-ticks') expect(l.x).toBeCloseTo(area.left + ((l.value - a) / w) * (area.right - area.left), 0);
              else expect(l.y - 4).toBeCloseTo(area.bottom - ((l.value - a) / w) * (area.bottom - area.top), 0);
            }
            // Against the nice step itself: the step measured from labels near 16384 is off by ~1e-8 relative.
            expect(isRound(values[0]!, nice!), `round ${values[0]} by ${nice}`).toBe(true);
          }
        },
      ),
      // The example: a large offset with a tiny tick step (round -16384.0008 by 0.0002 once failed the roundness check).
      { numRuns: 60, examples: [[-16384.0009, 0.001, 0, 1]] },
    );
  });

  it('writes years as 2010 (no thousands separator) and tiny densities in exponent form', () => {
    const spec = { x: { domain: [2010, 2030] as const, label: 'year' }, y: { domain: [0, 3e-7] as const, label: 'density' } };
    const svg = renderFrame(makeFrame(spec), spec, {});
    expect(tickLabels(svg, 'x-ticks').map((l) => l.text)).toContain('2020');
    expect(tickLabels(svg, 'y-ticks').map((l) => l.text)).toContain('1e-7');
  });
});

describe('frame clipping', () => {
  it('leaves out exactly the points outside the domain, and clips the marks to the plot area', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })), { maxLength: 60 }), (pts) => {
        const f = makeFrame({ x: { domain: [-2, 3], label: 'x' }, y: { domain: [-1, 4], label: 'y' } });
        const drawn = circles(pointsLayer(f, pts));
        expect(drawn).toHaveLength(pts.filter(([a, b]) => a >= -2 && a <= 3 && b >= -1 && b <= 4).length);
        for (const c of drawn) {
          expect(c.cx).toBeGreaterThanOrEqual(f.left - 0.01);
          expect(c.cx).toBeLessThanOrEqual(f.right + 0.01);
          expect(c.cy).toBeGreaterThanOrEqual(f.top - 0.01);
          expect(c.cy).toBeLessThanOrEqual(f.bottom + 0.01);
        }
      }),
    );
    const svg = regressionSvg({ names: ['x', 'y'], domain: [2, 6], xs: [0, 4, 8], mean: [0, 1, 2], lo: [-1, 0, 1], hi: [1, 2, 3], points: [[1, 0], [3, 1], [7, 2]] });
    expect(circles(svg)).toHaveLength(1);
    expect(svg).toMatch(/<g class="layers" clip-path="url\(#pmix-plot-\d+\)">/);
  });
});

describe('density as contour bands', () => {
  it('draws one merged path per level, no grid cells, darker where the density is higher', () => {
    const n = 60;
    const values = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values[j * n + i] = Math.exp(-(((i - 30) / 8) ** 2 + ((j - 20) / 5) ** 2) / 2);
    const svg = density2dSvg({ names: ['a', 'b'], domains: [[0, 1], [0, 1]], values, nx: n, ny: n });
    const group = /<g class="density"[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
    expect(group).not.toContain('<rect');
    const fills = [...group.matchAll(/<path d="[^"]+" fill="(rgb\(\d+, \d+, \d+\))"/g)].map((m) => m[1]!);
    expect(fills.length).toBe(10); // the 1% level and nine tenths
    const lightness = fills.map((c) => c.match(/\d+/g)!.map(Number).reduce((a, b) => a + b));
    for (let k = 1; k < lightness.length; k++) expect(lightness[k]).toBeLessThan(lightness[k - 1]!);
  });
});

describe('curve sampling', () => {
  it('finds the data resolution (the median gap) and samples at least four points per gap', () => {
    const monthly = Array.from({ length: 741 }, (_, i) => 1958 + i / 12);
    expect(dataResolution(monthly)).toBeCloseTo(1 / 12, 9);
    const grid = curveGrid(1950, 2030, monthly);
    expect(grid[0]).toBe(1950);
    expect(grid[grid.length - 1]).toBe(2030);
    expect(grid[1]! - grid[0]!).toBeLessThanOrEqual(1 / 48 + 1e-12);
    expect(curveGrid(0, 1, [0.5]).length).toBe(400); // no resolution: the default count
  });
});

describe('discrete densities as tiles', () => {
  it('draws one tile per pair of whole numbers with mass, at its cell, labelled when few', () => {
    // p(a, b) on {0, 1, 2} x {0, 1}: a table, one cell empty.
    const values = [0.1, 0.2, 0, 0.3, 0.25, 0.15];
    const svg = density2dSvg({ names: ['a', 'b'], domains: [[-0.5, 2.5], [-0.5, 1.5]], values, nx: 3, ny: 2, discrete: true, points: [[0, 0]] });
    expect(svg).not.toContain('class="density"');
    const tiles = /<g class="tiles">(.*?)<\/g>/.exec(svg)![1]!;
    const rects = [...tiles.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => m.slice(1).map(Number));
    expect(rects).toHaveLength(5);
    const area = plotArea(svg);
    const w = (area.right - area.left) / 3;
    // The first tile is (a = 0, b = 0): bottom-left.
    expect(rects[0]![0]! + rects[0]![2]! / 2).toBeCloseTo(area.left + w / 2, 1);
    expect(rects[0]![1]! + rects[0]![3]!).toBeLessThanOrEqual(area.bottom);
    expect([...tiles.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0.1', '0.2', '0.3', '0.25', '0.15']);
    expect(circles(svg)).toHaveLength(0); // points would all sit on the tiles' centres
    // Whole-number axes: ticks at whole numbers only.
    expect(tickLabels(svg, 'x-ticks').map((l) => l.value)).toEqual([0, 1, 2]);
    expect(tickLabels(svg, 'y-ticks').map((l) => l.value)).toEqual([0, 1]);
  });
});
