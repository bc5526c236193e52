// Signed log space: a real x is stored as (log|x|, sign(x)) so that squared circuits,
// whose weights may be negative, neither overflow nor underflow. A weighted sum uses the
// max trick per output: exp once per input relative to the largest input, as the monotone
// sum layers do (an input 745 nats below the largest of its row contributes 0).

/**
 * out = sum_i W[u, i] * in_i for one vector of I inputs given as (l, s) at offset/stride.
 * Writes U outputs to (outL, outS) at oOff with stride oStride. `tmp` has length >= I.
 */
export function signedMatVec(
  W: Float64Array, U: number, I: number,
  inL: Float64Array, inS: Float64Array, iOff: number, iStride: number,
  outL: Float64Array, outS: Float64Array, oOff: number, oStride: number,
  tmp: Float64Array,
): void {
  let m = -Infinity;
  for (let i = 0; i < I; i++) {
    const l = inL[iOff + i * iStride]!;
    if (l > m) m = l;
  }
  if (m === -Infinity || Number.isNaN(m)) {
    for (let u = 0; u < U; u++) {
      outL[oOff + u * oStride] = m;
      outS[oOff + u * oStride] = 0;
    }
    return;
  }
  for (let i = 0; i < I; i++) tmp[i] = inS[iOff + i * iStride]! * Math.exp(inL[iOff + i * iStride]! - m);
  for (let u = 0; u < U; u++) {
    let s = 0;
    const row = u * I;
    for (let i = 0; i < I; i++) s += W[row + i]! * tmp[i]!;
    outL[oOff + u * oStride] = s === 0 ? -Infinity : m + Math.log(Math.abs(s));
    outS[oOff + u * oStride] = Math.sign(s);
  }
}

/**
 * The backward of signedMatVec. Flows are f_k = x_k * dL/dx_k = dL/dlog|x_k| (real, may be
 * negative). For out_u = sum_i W[u,i] in_i: f_in_i += sum_u f_u W[u,i] in_i / out_u and
 * dL/dW[u,i] += f_u in_i / out_u (times the row weight rw).
 */
export function signedMatVecBack(
  W: Float64Array, U: number, I: number,
  inL: Float64Array, inS: Float64Array, iOff: number, iStride: number,
  outL: Float64Array, outS: Float64Array, oOff: number, oStride: number,
  outF: Float64Array, inF: Float64Array, gW: Float64Array | undefined, rw: number,
): void {
  for (let u = 0; u < U; u++) {
    const f = outF[oOff + u * oStride]!;
    if (f === 0) continue;
    const lo = outL[oOff + u * oStride]!;
    if (lo === -Infinity) continue;
    const so = outS[oOff + u * oStride]!;
    const row = u * I;
    for (let i = 0; i < I; i++) {
      const li = inL[iOff + i * iStride]!;
      if (li === -Infinity) continue;
      const r = f * so * inS[iOff + i * iStride]! * Math.exp(li - lo); // f_u * in_i / out_u
      inF[iOff + i * iStride] += W[row + i]! * r;
      if (gW) gW[row + i] += rw * r;
    }
  }
}

let shared = true;

/** Turns signedMatVecBackFast's shared exps on or off (off: signedMatVecBack, the reference). */
export function useSharedExpBackward(on: boolean): void {
  shared = on;
}

/**
 * signedMatVecBack with I + U exps instead of U * I: with m the largest finite input,
 * in_i / out_u = E_i R_u, E_i = s_i exp(l_i - m), R_u = s_u exp(m - l_u). `tmp` has length
 * >= I + U. Where m - l_u exceeds 700 for an output with flow (exp near overflow) it runs
 * the reference.
 */
export function signedMatVecBackFast(
  W: Float64Array, U: number, I: number,
  inL: Float64Array, inS: Float64Array, iOff: number, iStride: number,
  outL: Float64Array, outS: Float64Array, oOff: number, oStride: number,
  outF: Float64Array, inF: Float64Array, gW: Float64Array | undefined, rw: number, tmp: Float64Array,
): void {
  let m = -Infinity;
  for (let i = 0; i < I; i++) {
    const l = inL[iOff + i * iStride]!;
    if (l > m) m = l;
  }
  let ok = shared && m > -Infinity && m < Infinity;
  for (let u = 0; u < U && ok; u++) {
    const f = outF[oOff + u * oStride]!;
    const lo = outL[oOff + u * oStride]!;
    if (f === 0 || lo === -Infinity) tmp[I + u] = 0;
    else if (m - lo > 700) ok = false;
    else tmp[I + u] = f * outS[oOff + u * oStride]! * Math.exp(m - lo);
  }
  if (!ok) {
    signedMatVecBack(W, U, I, inL, inS, iOff, iStride, outL, outS, oOff, oStride, outF, inF, gW, rw);
    return;
  }
  for (let i = 0; i < I; i++) {
    const l = inL[iOff + i * iStride]!;
    tmp[i] = l === -Infinity ? 0 : inS[iOff + i * iStride]! * Math.exp(l - m);
  }
  for (let u = 0; u < U; u++) {
    const r = tmp[I + u]!;
    if (r === 0) continue;
    const row = u * I;
    for (let i = 0; i < I; i++) {
      const e = tmp[i]!;
      if (e === 0) continue;
      inF[iOff + i * iStride] += W[row + i]! * r * e;
      if (gW) gW[row + i] += rw * r * e;
    }
  }
}
