// An independent direct-sum KDE for the tests: the Mahalanobis distance through H^-1 and
// det H by Gauss-Jordan elimination (not the Cholesky whitening of families/kde), kernel
// normalizers from closed forms or Simpson's rule on the radial integral, plain log-sum-exp.

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
/** Gamma(x) for x a positive integer or half-integer. */
export function gammaHalf(x: number): number {
  if (Number.isInteger(x)) return factorial(x - 1);
  let g = Math.sqrt(Math.PI);
  for (let a = 0.5; a < x; a += 1) g *= a;
  return g;
}
export const ballVolume = (d: number): number => Math.PI ** (d / 2) / gammaHalf(d / 2 + 1);
/** Surface of the unit sphere in R^d. */
export const sphereArea = (d: number): number => d * ballVolume(d);

export const PROFILE: Record<string, (u: number) => number> = {
  gaussian: (u) => Math.exp(-0.5 * u * u),
  tophat: (u) => (u < 1 ? 1 : 0),
  epanechnikov: (u) => (u < 1 ? 1 - u * u : 0),
  exponential: (u) => Math.exp(-u),
  linear: (u) => (u < 1 ? 1 - u : 0),
  cosine: (u) => (u < 1 ? Math.cos((Math.PI * u) / 2) : 0),
};

/** 1 / integral of K(|u|) over R^d. */
export function normalizer(kernel: string, d: number): number {
  if (kernel === 'gaussian') return (2 * Math.PI) ** (-d / 2);
  if (kernel === 'exponential') return 1 / (sphereArea(d) * factorial(d - 1));
  if (kernel === 'tophat') return 1 / ballVolume(d);
  if (kernel === 'epanechnikov') return (d + 2) / (2 * ballVolume(d));
  if (kernel === 'linear') return (d + 1) / ballVolume(d);
  // cosine: Simpson on the radial integral
  const m = 20000;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const r = i / m;
    s += (i === 0 || i === m ? 1 : i % 2 ? 4 : 2) * r ** (d - 1) * Math.cos((Math.PI * r) / 2);
  }
  return 1 / (sphereArea(d) * (s / (3 * m)));
}

/** Inverse and determinant by Gauss-Jordan with partial pivoting. */
export function invDet(a: number[][]): { inv: number[][]; det: number } {
  const d = a.length;
  const m = a.map((r, i) => [...r, ...Array.from({ length: d }, (_, j) => (i === j ? 1 : 0))]);
  let det = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (p !== c) {
      [m[p], m[c]] = [m[c]!, m[p]!];
      det = -det;
    }
    const piv = m[c]![c]!;
    det *= piv;
    for (let j = 0; j < 2 * d; j++) m[c]![j]! /= piv;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * d; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return { inv: m.map((r) => r.slice(d)), det };
}

const lse = (t: number[]): number => {
  const mx = Math.max(...t);
  if (mx === -Infinity) return -Infinity;
  return mx + Math.log(t.reduce((s, v) => s + Math.exp(v - mx), 0));
};

/** log (1/n) sum_i |H|^(-1/2) c_d K(sqrt((x - x_i)^T H^-1 (x - x_i))), radial. */
export function refRadial(kernel: string, rows: number[][], H: number[][], q: number[]): number {
  const d = q.length;
  const { inv, det } = invDet(H);
  const c = normalizer(kernel, d);
  const t = rows.map((r) => {
    const e = q.map((v, a) => v - r[a]!);
    let s = 0;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += e[a]! * inv[a]![b]! * e[b]!;
    // gaussian in log form so far points keep their (finite) log terms
    return kernel === 'gaussian' ? -0.5 * s : Math.log(PROFILE[kernel]!(Math.sqrt(s)));
  });
  return lse(t) - Math.log(rows.length) + Math.log(c) - 0.5 * Math.log(det);
}

/** Product kernel: prod_j K1((x_j - x_ij) / h_j) / h_j, 1-D normalizers. */
export function refProduct(kernel: string, rows: number[][], h: number[], q: number[]): number {
  const c = normalizer(kernel, 1);
  const t = rows.map((r) => q.reduce((s, v, a) => s + Math.log((c * PROFILE[kernel]!(Math.abs(v - r[a]!) / h[a]!)) / h[a]!), 0));
  return lse(t) - Math.log(rows.length);
}
