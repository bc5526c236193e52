// plot/'s marks added for the families' pictures: a level line by marching squares (checked
// against closed forms through the frame's inverse map), a fixed colour scale (a band's colour
// depends on the value, not on the peak), bands split at gaps, dashed lines, point outlines.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bandPath, cellCentres, densityLayer, isolineLayer, linePath, makeFrame, pointsLayer } from '../../plot/index.js';

const frame = () => makeFrame({ x: { domain: [0, 1], label: 'x' }, y: { domain: [0, 1], label: 'y' } });
const grid = (n: number, v: (x: number, y: number) => number): Float64Array => {
  const c = cellCentres(0, 1, n);
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out[j * n + i] = v(c[i]!, c[j]!);
  return out;
};
const vertices = (path: string): [number, number][] => [...(/ d="([^"]*)"/.exec(path)?.[1] ?? '').matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('isolineLayer', () => {
  it('traces a linear surface exactly: every vertex of x + a y = c lies on that line', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 0.9, noNaN: true }), fc.integer({ min: 8, max: 40 }), (a, c, n) => {
        const f = frame();
        const path = isolineLayer(f, grid(n, (x, y) => x + a * y), n, n, c);
        const pts = vertices(path);
        expect(pts.length).toBeGreaterThan(0);
        for (const [px, py] of pts) {
          const x = f.x.invert(px);
          const y = f.y.invert(py);
          expect(Math.abs(x + a * y - c)).toBeLessThan(0.01 * (1 + a)); // px rounded to 0.01
        }
      }),
      { numRuns: 40 },
    );
  });

  it('traces a circle within the grid spacing, and draws nothing for a level the surface never reaches', () => {
    const f = frame();
    const n = 50;
    const values = grid(n, (x, y) => (x - 0.5) ** 2 + (y - 0.5) ** 2);
    const pts = vertices(isolineLayer(f, values, n, n, 0.09));
    expect(pts.length).toBeGreaterThan(100);
    for (const [px, py] of pts) expect(Math.abs(Math.hypot(f.x.invert(px) - 0.5, f.y.invert(py) - 0.5) - 0.3)).toBeLessThan(1 / n);
    expect(vertices(isolineLayer(f, values, n, n, 2))).toEqual([]);
  });
});

describe('densityLayer with a fixed colour scale', () => {
  const fills = (svg: string): string[] => [...svg.matchAll(/fill="(rgb\([^)]+\))"/g)].map((m) => m[1]!);
  const scale = { domain: [0, 1] as const, colors: ['#000000', '#ffffff'], bands: 10 };

  it('paints a value the colour of its band on the scale, whatever the peak', () => {
    const f = frame();
    const flat = fills(densityLayer(f, grid(20, () => 0.35), 20, 20, { scale }));
    // bands [0, .1), [.1, .2), [.2, .3), [.3, .4): the top one grey at 0.35 of the way to white
    expect(flat).toHaveLength(4);
    expect(flat[3]).toBe('rgb(89, 89, 89)');
    const peaked = fills(densityLayer(f, grid(20, (x) => (x > 0.5 ? 0.95 : 0.35)), 20, 20, { scale }));
    expect(peaked.slice(0, 4)).toEqual(flat);
    expect(peaked).toHaveLength(10);
    expect(peaked[9]).toBe('rgb(242, 242, 242)');
  });

  it('paints values exactly at the bottom of the scale (p = 0)', () => {
    expect(fills(densityLayer(frame(), new Float64Array(100), 10, 10, { scale }))).toEqual(['rgb(13, 13, 13)']);
    // the relative scale has nothing to draw for a zero density
    expect(densityLayer(frame(), new Float64Array(100), 10, 10)).toBe('');
  });
});

describe('bands, lines and points', () => {
  it('splits a band at non-finite values into closed pieces over the finite runs', () => {
    const f = frame();
    const xs = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const lo = [0.1, 0.1, NaN, NaN, 0.2, 0.2, 0.2];
    const hi = lo.map((v) => v + 0.3);
    const d = /d="([^"]*)"/.exec(bandPath(f, xs, lo, hi))![1]!;
    const pieces = d.split('M').slice(1);
    expect(pieces).toHaveLength(2);
    expect(pieces.map((p) => p.endsWith('Z'))).toEqual([true, true]);
    expect(pieces.map((p) => p.split(/[LZ]/).filter(Boolean).length)).toEqual([4, 6]); // up and back over 2 and 3 xs
    expect(bandPath(f, [0], [NaN], [1])).toBe('');
  });

  it('dashes a line only when asked, and outlines points as asked', () => {
    const f = frame();
    expect(linePath(f, [0, 1], [0, 1])).not.toContain('stroke-dasharray');
    expect(linePath(f, [0, 1], [0, 1], { dash: '5,3' })).toContain('stroke-dasharray="5,3"');
    expect(pointsLayer(f, [[0.5, 0.5]])).toContain('stroke="#ffffff" stroke-width="0.4"');
    expect(pointsLayer(f, [[0.5, 0.5]], { stroke: '#222222', strokeWidth: 0.7, opacity: 1 })).toMatch(/fill-opacity="1" stroke="#222222" stroke-width="0.7"/);
  });
});
