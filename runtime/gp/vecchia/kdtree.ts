// A static kd-tree over n points (row-major, D columns) for k-nearest-neighbour queries,
// optionally among the points whose index is below a limit (a Vecchia ordering's previous
// points: subtrees whose smallest index reaches the limit are skipped). Leaves hold up to 16
// points; nodes split at the median of their widest column.
const LEAF = 16;

export class KdTree {
  /** Point indices, permuted so each node owns a contiguous range. */
  private readonly idx: Int32Array;
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  private readonly dim: number[] = [];
  private readonly split: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly minIdx: number[] = [];
  // Query state (one query at a time).
  private heapD = new Float64Array(0);
  private heapI = new Int32Array(0);
  private size = 0;
  private k = 0;
  private limit = 0;
  private q = new Float64Array(0);

  constructor(
    readonly pts: Float64Array,
    readonly n: number,
    readonly D: number,
  ) {
    this.idx = Int32Array.from({ length: n }, (_, i) => i);
    this.q = new Float64Array(D);
    if (n > 0) this.build(0, n);
  }

  private build(lo: number, hi: number): number {
    const id = this.lo.length;
    this.lo.push(lo);
    this.hi.push(hi);
    this.dim.push(-1);
    this.split.push(0);
    this.left.push(-1);
    this.right.push(-1);
    let mn = Infinity;
    for (let t = lo; t < hi; t++) if (this.idx[t]! < mn) mn = this.idx[t]!;
    this.minIdx.push(mn);
    if (hi - lo <= LEAF) return id;
    const { pts, D, idx } = this;
    let best = 0;
    let width = -1;
    for (let c = 0; c < D; c++) {
      let a = Infinity;
      let b = -Infinity;
      for (let t = lo; t < hi; t++) {
        const v = pts[idx[t]! * D + c]!;
        if (v < a) a = v;
        if (v > b) b = v;
      }
      if (b - a > width) {
        width = b - a;
        best = c;
      }
    }
    if (!(width > 0)) return id; // every point the same: one leaf
    const mid = (lo + hi) >> 1;
    this.select(lo, hi - 1, mid, best);
    this.dim[id] = best;
    this.split[id] = pts[idx[mid]! * D + best]!;
    const l = this.build(lo, mid);
    const r = this.build(mid, hi);
    this.left[id] = l;
    this.right[id] = r;
    return id;
  }

  /** Quickselect: idx[k] gets the point of rank k in column c over idx[lo..hi]. */
  private select(lo: number, hi: number, k: number, c: number): void {
    const { pts, D, idx } = this;
    const v = (t: number): number => pts[idx[t]! * D + c]!;
    while (hi > lo) {
      const pivot = v((lo + hi) >> 1);
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (v(i) < pivot) i++;
        while (v(j) > pivot) j--;
        if (i <= j) {
          const t = idx[i]!;
          idx[i] = idx[j]!;
          idx[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return;
    }
  }

  /**
   * The k nearest points to q (D values at q[qOff..]) among indices below `limit`, nearest
   * first, into out (indices); returns how many (min(k, limit, n)). Ties break by index.
   */
  knn(q: Float64Array, qOff: number, k: number, limit: number, out: Int32Array): number {
    if (this.heapD.length < k) {
      this.heapD = new Float64Array(k);
      this.heapI = new Int32Array(k);
    }
    for (let c = 0; c < this.D; c++) this.q[c] = q[qOff + c]!;
    this.size = 0;
    this.k = k;
    this.limit = limit;
    if (this.n > 0 && k > 0) this.visit(0);
    const cnt = this.size;
    // Heap pops give the farthest first.
    for (let t = cnt - 1; t >= 0; t--) {
      out[t] = this.heapI[0]!;
      this.pop();
    }
    return cnt;
  }

  private visit(node: number): void {
    if (this.minIdx[node]! >= this.limit) return;
    const d = this.dim[node]!;
    if (d < 0) {
      const { pts, D, idx, q } = this;
      for (let t = this.lo[node]!; t < this.hi[node]!; t++) {
        const p = idx[t]!;
        if (p >= this.limit) continue;
        let s = 0;
        for (let c = 0; c < D; c++) {
          const u = pts[p * D + c]! - q[c]!;
          s += u * u;
        }
        this.offer(s, p);
      }
      return;
    }
    const diff = this.q[d]! - this.split[node]!;
    const near = diff < 0 ? this.left[node]! : this.right[node]!;
    const far = diff < 0 ? this.right[node]! : this.left[node]!;
    this.visit(near);
    if (this.size < this.k || diff * diff <= this.heapD[0]!) this.visit(far);
  }

  /** Max-heap on (distance, index) of the best k so far. */
  private offer(dist: number, p: number): void {
    const { heapD, heapI } = this;
    const worse = (a: number, ia: number, b: number, ib: number): boolean => a > b || (a === b && ia > ib);
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const par = (i - 1) >> 1;
        if (!worse(dist, p, heapD[par]!, heapI[par]!)) break;
        heapD[i] = heapD[par]!;
        heapI[i] = heapI[par]!;
        i = par;
      }
      heapD[i] = dist;
      heapI[i] = p;
      return;
    }
    if (!worse(heapD[0]!, heapI[0]!, dist, p)) return;
    this.siftDown(dist, p);
  }

  private pop(): void {
    const last = --this.size;
    if (last > 0) this.siftDown(this.heapD[last]!, this.heapI[last]!);
  }

  /** Puts (dist, p) at the root and sifts it down. */
  private siftDown(dist: number, p: number): void {
    const { heapD, heapI } = this;
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n && (heapD[l + 1]! > heapD[l]! || (heapD[l + 1] === heapD[l] && heapI[l + 1]! > heapI[l]!))) c = l + 1;
      if (!(heapD[c]! > dist || (heapD[c] === dist && heapI[c]! > p))) break;
      heapD[i] = heapD[c]!;
      heapI[i] = heapI[c]!;
      i = c;
    }
    heapD[i] = dist;
    heapI[i] = p;
  }
}
