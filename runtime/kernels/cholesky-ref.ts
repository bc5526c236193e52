// Textbook references for cholesky.ts: unblocked Cholesky-Banachiewicz and row-by-row
// substitutions, on row-major n x n matrices.
import type { CholeskyInfo } from './cholesky.js';

export function choleskyRef(a: Float64Array, n: number): CholeskyInfo {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return { ok: false, pivot: i };
        a[i * n + i] = Math.sqrt(s);
      } else a[i * n + j] = s / a[j * n + j]!;
    }
    for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
  }
  return { ok: true, pivot: -1 };
}

export function solveLowerRef(l: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let s = b[i * k + c]!;
      for (let j = 0; j < i; j++) s -= l[i * n + j]! * b[j * k + c]!;
      b[i * k + c] = s / l[i * n + i]!;
    }
  }
}

export function solveLowerTRef(l: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let c = 0; c < k; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i * k + c]!;
      for (let j = i + 1; j < n; j++) s -= l[j * n + i]! * b[j * k + c]!;
      b[i * k + c] = s / l[i * n + i]!;
    }
  }
}
