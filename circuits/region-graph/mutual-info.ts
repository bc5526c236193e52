// Pairwise mutual information for Chow-Liu trees over mixed data. Data is a row-major
// n x vars.length matrix (column j holds vars[j]); NaN is missing and each pair uses the rows
// where both are present (pairwise-complete). Optional row weights scale the counts.
//  - discrete-discrete: from the joint counts with Laplace smoothing alpha (marginals taken
//    from the smoothed joint, so the estimate is a true MI of a distribution: >= 0);
//  - real-real: Gaussian MI -0.5 log(1 - rho^2) from the weighted Pearson correlation;
//  - real-discrete: the real column is cut into quantile bins, then as discrete-discrete.

export interface VarInfo {
  /** The variable's index (what region-graph scopes hold). */
  readonly index: number;
  readonly kind: 'real' | 'discrete';
  /** For discrete variables: values are 0 .. levels - 1. */
  readonly levels: number;
}

export interface MutualInfoOptions {
  /** Row weights (length n, non-negative). */
  readonly weights?: Float64Array;
  /** Laplace smoothing of discrete joint counts (default 0.01). */
  readonly alpha?: number;
  /** Quantile bins for a real column paired with a discrete one (default 8). */
  readonly bins?: number;
}

/** Throws unless x is n x vars.length and every discrete value is a level (or NaN). */
export function checkData(x: Float64Array, n: number, vars: readonly VarInfo[], weights: Float64Array | undefined, who: string): void {
  const d = vars.length;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${who}: n must be a non-negative integer, got ${n}`);
  if (x.length !== n * d) throw new Error(`${who}: data has ${x.length} values, expected n x vars = ${n} x ${d}`);
  if (weights && weights.length !== n) throw new Error(`${who}: ${weights.length} weights for ${n} rows`);
  if (weights) for (let i = 0; i < n; i++) if (!(weights[i]! >= 0) || !Number.isFinite(weights[i]!)) throw new Error(`${who}: weight of row ${i + 1} is ${weights[i]}, must be finite and >= 0`);
  vars.forEach((v, j) => {
    if (v.kind === 'discrete') {
      if (!Number.isInteger(v.levels) || v.levels < 1) throw new Error(`${who}: variable ${v.index} needs levels >= 1, got ${v.levels}`);
      for (let i = 0; i < n; i++) {
        const a = x[i * d + j]!;
        if (!Number.isNaN(a) && !(Number.isInteger(a) && a >= 0 && a < v.levels)) {
          throw new Error(`${who}: row ${i + 1}, column ${j + 1} (variable ${v.index}): value ${a} is not a level 0..${v.levels - 1}`);
        }
      }
    } else {
      for (let i = 0; i < n; i++) if (x[i * d + j] === Infinity || x[i * d + j] === -Infinity) throw new Error(`${who}: row ${i + 1}, column ${j + 1} (variable ${v.index}) is infinite`);
    }
  });
}

/** Symmetric d x d MI matrix (row-major, zero diagonal). */
export function mutualInformation(x: Float64Array, n: number, vars: readonly VarInfo[], opts: MutualInfoOptions = {}): Float64Array {
  checkData(x, n, vars, opts.weights, 'mutualInformation');
  const d = vars.length;
  const w = opts.weights;
  const alpha = opts.alpha ?? 0.01;
  const bins = opts.bins ?? 8;
  const col = (j: number): Float64Array => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = x[i * d + j]!;
    return c;
  };
  const cols = vars.map((_, j) => col(j));
  const binned = new Map<number, { codes: Float64Array; levels: number }>();
  const binnedCol = (j: number) => {
    let b = binned.get(j);
    if (!b) binned.set(j, (b = quantileBins(cols[j]!, bins)));
    return b;
  };
  const mi = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      const va = vars[a]!;
      const vb = vars[b]!;
      let m: number;
      if (va.kind === 'real' && vb.kind === 'real') m = gaussianMI(cols[a]!, cols[b]!, w);
      else {
        const A = va.kind === 'discrete' ? { codes: cols[a]!, levels: va.levels } : binnedCol(a);
        const B = vb.kind === 'discrete' ? { codes: cols[b]!, levels: vb.levels } : binnedCol(b);
        m = discreteMI(A.codes, A.levels, B.codes, B.levels, w, alpha);
      }
      mi[a * d + b] = mi[b * d + a] = m;
    }
  }
  return mi;
}

export function discreteMI(a: Float64Array, la: number, b: Float64Array, lb: number, w: Float64Array | undefined, alpha: number): number {
  const joint = new Float64Array(la * lb);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const u = a[i]!;
    const v = b[i]!;
    if (Number.isNaN(u) || Number.isNaN(v)) continue;
    const wi = w ? w[i]! : 1;
    joint[u * lb + v] += wi;
    total += wi;
  }
  if (total === 0) return 0;
  const z = total + alpha * la * lb;
  const pa = new Float64Array(la);
  const pb = new Float64Array(lb);
  for (let u = 0; u < la; u++) {
    for (let v = 0; v < lb; v++) {
      const p = (joint[u * lb + v]! + alpha) / z;
      joint[u * lb + v] = p;
      pa[u] += p;
      pb[v] += p;
    }
  }
  let m = 0;
  for (let u = 0; u < la; u++) for (let v = 0; v < lb; v++) {
    const p = joint[u * lb + v]!;
    if (p > 0) m += p * Math.log(p / (pa[u]! * pb[v]!));
  }
  return Math.max(0, m);
}

export function gaussianMI(a: Float64Array, b: Float64Array, w: Float64Array | undefined): number {
  let sw = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    const wi = w ? w[i]! : 1;
    sw += wi;
    sa += wi * a[i]!;
    sb += wi * b[i]!;
  }
  if (sw === 0) return 0;
  const ma = sa / sw;
  const mb = sb / sw;
  let caa = 0, cbb = 0, cab = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    const wi = w ? w[i]! : 1;
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    caa += wi * da * da;
    cbb += wi * db * db;
    cab += wi * da * db;
  }
  if (!(caa > 0 && cbb > 0)) return 0; // a constant column carries no information
  const rho2 = Math.min((cab * cab) / (caa * cbb), 1 - 1e-12);
  return -0.5 * Math.log1p(-rho2);
}

/** Codes 0..levels-1 of a real column by its observed quantiles (NaN stays NaN). */
export function quantileBins(c: Float64Array, bins: number): { codes: Float64Array; levels: number } {
  const obs = Array.from(c).filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
  const edges: number[] = [];
  for (let k = 1; k < bins && obs.length; k++) {
    const e = obs[Math.min(obs.length - 1, Math.floor((k * obs.length) / bins))]!;
    if (e > obs[0]! && (edges.length === 0 || e > edges[edges.length - 1]!)) edges.push(e);
  }
  const codes = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    if (Number.isNaN(v)) codes[i] = NaN;
    else {
      let k = 0; // number of edges <= v: bin k holds [edges[k-1], edges[k])
      while (k < edges.length && edges[k]! <= v) k++;
      codes[i] = k;
    }
  }
  return { codes, levels: edges.length + 1 };
}
