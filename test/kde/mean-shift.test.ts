// Mean shift recovers the modes of a known mixture; the number of modes matches a dense grid
// search for local maxima in 2-D; each mode's mass is the fraction of starts that reach it;
// the sketched (random-projection) mean shift finds the same modes in many dimensions.
import { describe, expect, it } from 'vitest';
import { assignClusters, createKde, logDensity, meanShift, sketchedMeanShift, type Kde } from '../../families/kde/index.js';
import { Rng } from '../../stdlib/random.js';

const CENTRES = [
  [0, 0],
  [5, 1],
  [1, 6],
];

function mixture(n: number, seed: number): { rows: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : i < (3 * n) / 4 ? 1 : 2));
  return { rows: labels.map((l) => [CENTRES[l]![0]! + 0.7 * rng.normal(), CENTRES[l]![1]! + 0.7 * rng.normal()]), labels };
}

/** Local maxima of the density on a dense grid (strictly above the 8 neighbours), merged within `merge`. */
function gridModes(kde: Kde, lo: number, hi: number, m: number): number[][] {
  const step = (hi - lo) / (m - 1);
  const q = new Float64Array(m * m * 2);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      q[(i * m + j) * 2] = lo + i * step;
      q[(i * m + j) * 2 + 1] = lo + j * step;
    }
  const lp = logDensity(kde, q);
  const out: number[][] = [];
  for (let i = 1; i < m - 1; i++)
    for (let j = 1; j < m - 1; j++) {
      const v = lp[i * m + j]!;
      let top = true;
      for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) if ((a || b) && lp[(i + a) * m + j + b]! >= v) top = false;
      if (top) out.push([lo + i * step, lo + j * step]);
    }
  return out;
}

describe('mean shift', () => {
  const { rows, labels } = mixture(300, 1);

  it('recovers the modes of a known 3-component mixture, with masses near the mixture weights', () => {
    const kde = createKde({ data: rows, bandwidth: 0.6 });
    const r = meanShift(kde);
    expect(r.modes.length).toBe(3);
    for (const c of CENTRES) {
      const near = r.modes.filter((m) => Math.hypot(m.point[0]! - c[0]!, m.point[1]! - c[1]!) < 0.5);
      expect(near.length, `centre ${c}`).toBe(1);
    }
    const masses = CENTRES.map((c) => r.modes.find((m) => Math.hypot(m.point[0]! - c[0]!, m.point[1]! - c[1]!) < 0.5)!.mass);
    expect(masses[0]).toBeCloseTo(0.5, 1);
    expect(masses[1]).toBeCloseTo(0.25, 1);
    expect(masses[2]).toBeCloseTo(0.25, 1);
    expect(r.modes.reduce((s, m) => s + m.mass, 0)).toBeCloseTo(1, 12);
    // modes are stationary: the density is lower a small step away in every direction
    for (const m of r.modes) {
      const at = logDensity(kde, m.point)[0]!;
      for (const [dx, dy] of [[0.05, 0], [-0.05, 0], [0, 0.05], [0, -0.05]]) expect(logDensity(kde, Float64Array.from([m.point[0]! + dx!, m.point[1]! + dy!]))[0]!).toBeLessThan(at);
    }
    // the cluster of each row is its component's mode for almost all rows
    const assign = assignClusters(kde, r, Float64Array.from(rows.flat()));
    const modeOf = CENTRES.map((c) => r.modes.findIndex((m) => Math.hypot(m.point[0]! - c[0]!, m.point[1]! - c[1]!) < 0.5));
    const agree = labels.filter((l, i) => assign[i] === modeOf[l]).length;
    expect(agree / rows.length).toBeGreaterThan(0.97);
  });

  it('the number of modes matches a dense grid search in 2-D (gaussian, several bandwidths and data sets)', () => {
    for (const seed of [2, 3, 4])
      for (const h of [0.3, 0.6, 1.5]) {
        const small = mixture(80, seed).rows;
        const kde = createKde({ data: small, bandwidth: h });
        const r = meanShift(kde, { mergeTol: 0.05, tol: 1e-8, maxIter: 5000 });
        const g = gridModes(kde, -4, 10, 281);
        expect(r.modes.length, `seed ${seed} h=${h}: ${r.modes.length} vs grid ${g.length}`).toBe(g.length);
        for (const p of g) expect(r.modes.some((m) => Math.hypot(m.point[0]! - p[0]!, m.point[1]! - p[1]!) < 0.15), `h=${h} grid mode ${p}`).toBe(true);
      }
  });

  it('other kernels (through their shadows): every mode found is a grid maximum', () => {
    // A compact kernel's density can have small local maxima whose basin holds no row; mean
    // shift started from the rows does not visit those (zero mass), so only this direction holds.
    const small = mixture(80, 2).rows;
    // (exponential and linear: their shadows are singular at the rows, so climbs can stick to a
    // row that is not a maximum; docs/kde.md says so, and they are not held to this here.)
    for (const kernel of ['epanechnikov', 'cosine'] as const) {
      const kde = createKde({ data: small, kernel, bandwidth: 1.6 });
      const r = meanShift(kde, { mergeTol: 0.05, tol: 1e-8, maxIter: 5000 });
      const g = gridModes(kde, -4, 10, 281);
      expect(r.modes.length).toBeGreaterThan(0);
      for (const m of r.modes) expect(g.some((p) => Math.hypot(m.point[0]! - p[0]!, m.point[1]! - p[1]!) < 0.15), `${kernel} mode ${Array.from(m.point)}`).toBe(true);
    }
  });

  it('refuses what it cannot do, naming why', () => {
    expect(() => meanShift(createKde({ data: rows, kernel: 'tophat', bandwidth: 1 }))).toThrow(/plateaus/);
    expect(() => meanShift(createKde({ data: rows, kernel: 'linear', form: 'product', bandwidth: [1, 1] }))).toThrow(/product 'linear'/);
    expect(() => meanShift(createKde({ data: rows, bandwidth: 1 }), { starts: 0 })).toThrow(/key 'starts'/);
  });
});

describe('sketched mean shift (dimension reduction)', () => {
  it('finds the same modes as plain mean shift on 3 well-separated clusters in 32 dimensions', () => {
    const rng = new Rng(9);
    const D = 32;
    const centres = [0, 1, 2].map(() => Array.from({ length: D }, () => 3 * rng.normal()));
    const rows = Array.from({ length: 240 }, (_, i) => centres[i % 3]!.map((c) => c + 0.5 * rng.normal()));
    const kde = createKde({ data: rows, bandwidth: 1.5 });
    const plain = meanShift(kde, { starts: 60, seed: 2 });
    const sk = sketchedMeanShift(kde, { starts: 60, seed: 2, sketchDim: 8 });
    expect(plain.modes.length).toBe(3);
    expect(sk.modes.length).toBe(3);
    for (const m of plain.modes) {
      const best = Math.min(...sk.modes.map((s) => Math.hypot(...Array.from(m.point, (v, a) => v - s.point[a]!))));
      expect(best).toBeLessThan(1e-3);
    }
  });
});
