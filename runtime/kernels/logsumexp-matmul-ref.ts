// Textbook reference for logMatmulExp: per output, a max-shifted log-sum-exp in float64.
import type { Floats } from './logsumexp-matmul.js';

export function logMatmulExpRef(A: Floats, W: Floats, F: number, B: number, K: number, J: number, out: Floats): void {
  for (let f = 0; f < F; f++) {
    for (let b = 0; b < B; b++) {
      const ao = (f * B + b) * K;
      for (let j = 0; j < J; j++) {
        let m = -Infinity;
        for (let i = 0; i < K; i++) m = Math.max(m, A[ao + i]!);
        if (m === -Infinity) {
          out[(f * B + b) * J + j] = -Infinity;
          continue;
        }
        let s = 0;
        for (let i = 0; i < K; i++) s += Math.exp(A[ao + i]! - m) * W[(f * K + i) * J + j]!;
        out[(f * B + b) * J + j] = Math.log(s) + m;
      }
    }
  }
}
