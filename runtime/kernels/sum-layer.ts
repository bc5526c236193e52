// A folded dense sum layer of a circuit, in float64: F sum nodes of U units over I inputs.
// Forward: out[f, n, u] = log sum_i W[f, u, i] exp(A[f, n, i]) = log(exp(A - m) . W[u]) + m,
// m = max_i A[n, i] (one exp per input, not per edge). Backward: with
// r[n, u] = flow[n, u] exp(m_n - out[n, u]) and E = exp(A - m),
//   inFlow[n, i] += E[n, i] * (r @ W)[n, i]        (d log p / d A)
//   counts[u, i] += W[u, i] * sum_n rowWeight[n] r[n, u] E[n, i]   (expected edge flows)
// Both passes are register-blocked plain-JS loops whose inner loops run over contiguous memory:
// forward takes dot products of 4 rows of E with 2 rows of W (8 accumulators); backward takes
// (r @ W) as dot products of 4 rows of r with 2 rows of W^T (transposed once per fold), and
// the counts as rank-4 updates of an L1-resident U x I tile. Scratch buffers are reused.

/** W [F, U, I] -> [F, I, U]. */
export function transposeWeights(W: Float64Array, F: number, U: number, I: number, out = new Float64Array(F * U * I)): Float64Array {
  for (let f = 0; f < F; f++) {
    const o = f * U * I;
    for (let u = 0; u < U; u++) for (let i = 0; i < I; i++) out[o + i * U + u] = W[o + u * I + i]!;
  }
  return out;
}

/** Rows per forward block: E (R x I) stays in L1/L2. */
const R = 64;

let scratch = new Float64Array(0);
/** A reused scratch array of at least len doubles (contents undefined). */
function buf(len: number): Float64Array {
  if (scratch.length < len) scratch = new Float64Array(Math.max(len, 2 * scratch.length));
  return scratch;
}

export function sumLayerForward(A: Float64Array, W: Float64Array, F: number, N: number, U: number, I: number, out: Float64Array): void {
  if (A.length < F * N * I || W.length < F * U * I || out.length < F * N * U) throw new Error('sumLayerForward: an array is shorter than F, N, U, I imply');
  const s = buf(R * I + R);
  const mOff = R * I; // e = s[0, R*I), m = s[R*I, R*I+R)
  for (let f = 0; f < F; f++) {
    const wo = f * U * I;
    for (let b0 = 0; b0 < N; b0 += R) {
      const rows = Math.min(R, N - b0);
      const base = f * N + b0;
      for (let r = 0; r < rows; r++) {
        const ao = (base + r) * I;
        let mx = -Infinity;
        for (let i = 0; i < I; i++) if (!(A[ao + i]! <= mx)) mx = A[ao + i]!;
        if (mx === -Infinity) mx = 0;
        s[mOff + r] = mx;
        const eo = r * I;
        for (let i = 0; i < I; i++) s[eo + i] = Math.exp(A[ao + i]! - mx);
      }
      let r = 0;
      for (; r + 4 <= rows; r += 4) {
        const e0 = r * I, e1 = e0 + I, e2 = e1 + I, e3 = e2 + I;
        const o0 = (base + r) * U, o1 = o0 + U, o2 = o1 + U, o3 = o2 + U;
        const m0 = s[mOff + r]!, m1 = s[mOff + r + 1]!, m2 = s[mOff + r + 2]!, m3 = s[mOff + r + 3]!;
        let u = 0;
        for (; u + 2 <= U; u += 2) {
          const wa = wo + u * I, wb = wa + I;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0_ = 0, b1 = 0, b2 = 0, b3 = 0;
          for (let i = 0; i < I; i++) {
            const x = W[wa + i]!, y = W[wb + i]!;
            const q0 = s[e0 + i]!, q1 = s[e1 + i]!, q2 = s[e2 + i]!, q3 = s[e3 + i]!;
            a0 += q0 * x; a1 += q1 * x; a2 += q2 * x; a3 += q3 * x;
            b0_ += q0 * y; b1 += q1 * y; b2 += q2 * y; b3 += q3 * y;
          }
          out[o0 + u] = Math.log(a0) + m0; out[o1 + u] = Math.log(a1) + m1; out[o2 + u] = Math.log(a2) + m2; out[o3 + u] = Math.log(a3) + m3;
          out[o0 + u + 1] = Math.log(b0_) + m0; out[o1 + u + 1] = Math.log(b1) + m1; out[o2 + u + 1] = Math.log(b2) + m2; out[o3 + u + 1] = Math.log(b3) + m3;
        }
        for (; u < U; u++) {
          const wa = wo + u * I;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let i = 0; i < I; i++) {
            const x = W[wa + i]!;
            a0 += s[e0 + i]! * x; a1 += s[e1 + i]! * x; a2 += s[e2 + i]! * x; a3 += s[e3 + i]! * x;
          }
          out[o0 + u] = Math.log(a0) + m0; out[o1 + u] = Math.log(a1) + m1; out[o2 + u] = Math.log(a2) + m2; out[o3 + u] = Math.log(a3) + m3;
        }
      }
      for (; r < rows; r++) {
        const e0 = r * I;
        const o0 = (base + r) * U;
        const m0 = s[mOff + r]!;
        for (let u = 0; u < U; u++) {
          const wa = wo + u * I;
          let a0 = 0;
          for (let i = 0; i < I; i++) a0 += s[e0 + i]! * W[wa + i]!;
          out[o0 + u] = Math.log(a0) + m0;
        }
      }
    }
  }
}

export function sumLayerBackward(
  A: Float64Array,
  out: Float64Array,
  flow: Float64Array,
  W: Float64Array,
  F: number,
  N: number,
  U: number,
  I: number,
  rowWeights: Float64Array | undefined,
  inFlow: Float64Array,
  counts: Float64Array | undefined,
): void {
  if (A.length < F * N * I || out.length < F * N * U || flow.length < F * N * U || W.length < F * U * I || inFlow.length < F * N * I) throw new Error('sumLayerBackward: an array is shorter than F, N, U, I imply');
  // Scratch: W^T [I x U], the U x I counts tile, and per block of 4 rows: E (4 x I), r (4 x U),
  // rowWeight * r (4 x U), and the 4 rows' offsets into A / inFlow.
  const s = buf(2 * U * I + 4 * I + 8 * U);
  const wt = 0;
  const t = U * I;
  const eb = 2 * U * I;
  const rb = eb + 4 * I;
  const cb = rb + 4 * U;
  const rows = [0, 0, 0, 0];
  for (let f = 0; f < F; f++) {
    const wo = f * U * I;
    for (let u = 0; u < U; u++) for (let i = 0; i < I; i++) s[wt + i * U + u] = W[wo + u * I + i]!;
    if (counts) s.fill(0, t, t + U * I);
    let q = 0; // rows gathered into the block
    const flush = (): void => {
      // g[k, i] = (r_k @ W)[i]; inFlow[row_k, i] += E[k, i] g[k, i]
      if (q === 4) {
        const r0 = rb, r1 = r0 + U, r2 = r1 + U, r3 = r2 + U;
        const e0 = eb, e1 = e0 + I, e2 = e1 + I, e3 = e2 + I;
        const i0 = rows[0]!, i1 = rows[1]!, i2 = rows[2]!, i3 = rows[3]!;
        let i = 0;
        for (; i + 2 <= I; i += 2) {
          const wa = wt + i * U, wb = wa + U;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
          for (let u = 0; u < U; u++) {
            const x = s[wa + u]!, y = s[wb + u]!;
            const p0 = s[r0 + u]!, p1 = s[r1 + u]!, p2 = s[r2 + u]!, p3 = s[r3 + u]!;
            a0 += p0 * x; a1 += p1 * x; a2 += p2 * x; a3 += p3 * x;
            b0 += p0 * y; b1 += p1 * y; b2 += p2 * y; b3 += p3 * y;
          }
          inFlow[i0 + i] += s[e0 + i]! * a0; inFlow[i1 + i] += s[e1 + i]! * a1; inFlow[i2 + i] += s[e2 + i]! * a2; inFlow[i3 + i] += s[e3 + i]! * a3;
          inFlow[i0 + i + 1] += s[e0 + i + 1]! * b0; inFlow[i1 + i + 1] += s[e1 + i + 1]! * b1; inFlow[i2 + i + 1] += s[e2 + i + 1]! * b2; inFlow[i3 + i + 1] += s[e3 + i + 1]! * b3;
        }
        for (; i < I; i++) {
          const wa = wt + i * U;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let u = 0; u < U; u++) {
            const x = s[wa + u]!;
            a0 += s[r0 + u]! * x; a1 += s[r1 + u]! * x; a2 += s[r2 + u]! * x; a3 += s[r3 + u]! * x;
          }
          inFlow[i0 + i] += s[e0 + i]! * a0; inFlow[i1 + i] += s[e1 + i]! * a1; inFlow[i2 + i] += s[e2 + i]! * a2; inFlow[i3 + i] += s[e3 + i]! * a3;
        }
        if (counts) {
          const c0 = cb, c1 = c0 + U, c2 = c1 + U, c3 = c2 + U;
          for (let u = 0; u < U; u++) {
            const p0 = s[c0 + u]!, p1 = s[c1 + u]!, p2 = s[c2 + u]!, p3 = s[c3 + u]!;
            if (p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0) continue;
            const to = t + u * I;
            for (let k = 0; k < I; k++) s[to + k] += p0 * s[e0 + k]! + p1 * s[e1 + k]! + p2 * s[e2 + k]! + p3 * s[e3 + k]!;
          }
        }
      } else {
        for (let k = 0; k < q; k++) {
          const rk = rb + k * U, ek = eb + k * I, ck = cb + k * U, ik = rows[k]!;
          for (let i = 0; i < I; i++) {
            const wa = wt + i * U;
            let a = 0;
            for (let u = 0; u < U; u++) a += s[rk + u]! * s[wa + u]!;
            inFlow[ik + i] += s[ek + i]! * a;
          }
          if (counts) {
            for (let u = 0; u < U; u++) {
              const p = s[ck + u]!;
              if (p === 0) continue;
              const to = t + u * I;
              for (let i = 0; i < I; i++) s[to + i] += p * s[ek + i]!;
            }
          }
        }
      }
      q = 0;
    };
    for (let n = 0; n < N; n++) {
      const ro = (f * N + n) * U;
      let any = false;
      for (let u = 0; u < U; u++) if (flow[ro + u] !== 0) any = true;
      if (!any) continue;
      const ao = (f * N + n) * I;
      let m = -Infinity;
      for (let i = 0; i < I; i++) if (A[ao + i]! > m) m = A[ao + i]!;
      if (!Number.isFinite(m)) continue;
      const ek = eb + q * I, rk = rb + q * U, ck = cb + q * U;
      for (let i = 0; i < I; i++) s[ek + i] = Math.exp(A[ao + i]! - m);
      const rw = rowWeights ? rowWeights[n]! : 1;
      for (let u = 0; u < U; u++) {
        const fl = flow[ro + u]!;
        const o = out[ro + u]!;
        // A unit of value -inf (all its weights 0 on this row's inputs) passes no flow down.
        const r = fl === 0 || o === -Infinity ? 0 : fl * Math.exp(m - o);
        s[rk + u] = r;
        s[ck + u] = rw * r;
      }
      rows[q++] = ao;
      if (q === 4) flush();
    }
    if (q > 0) flush();
    if (counts) for (let k = 0; k < U * I; k++) counts[wo + k] += s[t + k]! * W[wo + k]!;
  }
}
