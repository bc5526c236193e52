// A block of input pairs a kernel is evaluated on: either rows r0..r1 of X1 against every
// row of X2 (a block of rows of a kernel matrix, pair p = (i - r0) * n2 + j), or the pairs
// (X1[i], X2[i]) for i in r0..r1 (the diagonal, paired). Inputs are row-major with `stride`
// columns, of which a kernel sees `cols`. The helpers are the loops kernels share.
export class Pairs {
  readonly length: number;
  private readonly scratchBufs: Float64Array[] = [];

  constructor(
    readonly x1: Float64Array,
    readonly x2: Float64Array,
    readonly stride: number,
    readonly cols: readonly number[],
    readonly paired: boolean,
    readonly r0: number,
    readonly r1: number,
    readonly n2: number,
    /** X1 and X2 are the same point set: pair (i, i) is a point with itself (white noise). */
    readonly same: boolean,
  ) {
    this.length = paired ? r1 - r0 : (r1 - r0) * n2;
  }

  /** The same pairs seen through other columns (a kernel restricted to some inputs). */
  withCols(cols: readonly number[]): Pairs {
    return new Pairs(this.x1, this.x2, this.stride, cols, this.paired, this.r0, this.r1, this.n2, this.same);
  }

  /** A reusable buffer of `length` numbers (slot k), contents unspecified. */
  scratch(k: number): Float64Array {
    while (this.scratchBufs.length <= k) this.scratchBufs.push(new Float64Array(this.length));
    return this.scratchBufs[k]!;
  }

  /** out[p] = sum_c ((x1_c - x2_c) * inv_c)^2; inv has one entry (shared) or one per column. */
  sqdist(inv: Float64Array, out: Float64Array): void {
    out.fill(0, 0, this.length);
    for (let c = 0; c < this.cols.length; c++) {
      const col = this.cols[c]!;
      const s = inv.length === 1 ? inv[0]! : inv[c]!;
      const s2 = s * s;
      this.forCol(col, (a, b, p) => {
        const t = a - b;
        out[p] += t * t * s2;
      });
    }
  }

  /** out[p] = x1_c - x2_c for column index c (into cols). */
  diff(c: number, out: Float64Array): void {
    this.forCol(this.cols[c]!, (a, b, p) => {
      out[p] = a - b;
    });
  }

  /** out[p] = x1_c * x2_c. */
  prod(c: number, out: Float64Array): void {
    this.forCol(this.cols[c]!, (a, b, p) => {
      out[p] = a * b;
    });
  }

  /** sum_p w[p] * (x1_c - x2_c)^2 */
  weightedSqdiff(c: number, w: Float64Array): number {
    let s = 0;
    this.forCol(this.cols[c]!, (a, b, p) => {
      const t = a - b;
      s += w[p]! * t * t;
    });
    return s;
  }

  /** sum_p w[p] * x1_c * x2_c */
  weightedProd(c: number, w: Float64Array): number {
    let s = 0;
    this.forCol(this.cols[c]!, (a, b, p) => {
      s += w[p]! * a * b;
    });
    return s;
  }

  /** out[p] = x1_c (side 1) or x2_c (side 2): one side's coordinate of every pair. */
  side(c: number, which: 1 | 2, out: Float64Array): void {
    this.forCol(this.cols[c]!, which === 1 ? (a, _b, p) => (out[p] = a) : (_a, b, p) => (out[p] = b));
  }

  /**
   * Scatters per-pair input gradients to the points: g1[i, col] += v1[p] for the x1 row i of
   * pair p, and g2[j, col] += s2 * v2[p] for its x2 row j (g1, g2 row-major with `stride`
   * columns, indexed like x1 and x2; either may be absent). Stationary kernels pass the same
   * v with s2 = -1 (dk/dx' = -dk/dx).
   */
  scatter(c: number, g1: Float64Array | undefined, v1: Float64Array | undefined, g2: Float64Array | undefined, v2: Float64Array | undefined, s2 = 1): void {
    const col = this.cols[c]!;
    const { stride, r0, r1, n2 } = this;
    if (this.paired) {
      for (let i = r0; i < r1; i++) {
        if (g1 && v1) g1[i * stride + col] += v1[i - r0]!;
        if (g2 && v2) g2[i * stride + col] += s2 * v2[i - r0]!;
      }
      return;
    }
    let p = 0;
    for (let i = r0; i < r1; i++) {
      let acc = 0;
      for (let j = 0; j < n2; j++, p++) {
        if (v1) acc += v1[p]!;
        if (g2 && v2) g2[j * stride + col] += s2 * v2[p]!;
      }
      if (g1 && v1) g1[i * stride + col] += acc;
    }
  }

  /** out[p] = 1 where the pair is a point with itself (same set, same index), else 0. */
  identity(out: Float64Array): void {
    out.fill(0, 0, this.length);
    if (!this.same) return;
    if (this.paired) {
      out.fill(1, 0, this.length);
      return;
    }
    for (let i = this.r0; i < this.r1; i++) if (i < this.n2) out[(i - this.r0) * this.n2 + i] = 1;
  }

  /** Calls f(x1[i, col], x2[j, col], p) for every pair p of the block. */
  private forCol(col: number, f: (a: number, b: number, p: number) => void): void {
    const { x1, x2, stride, r0, r1, n2 } = this;
    if (this.paired) {
      for (let i = r0; i < r1; i++) f(x1[i * stride + col]!, x2[i * stride + col]!, i - r0);
      return;
    }
    let p = 0;
    for (let i = r0; i < r1; i++) {
      const a = x1[i * stride + col]!;
      for (let j = 0; j < n2; j++, p++) f(a, x2[j * stride + col]!, p);
    }
  }
}
