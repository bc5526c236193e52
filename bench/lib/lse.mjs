// The log-sum-exp sum layer cases: A [F x B x K] log-values, W [F x K x J] weights, float32
// on both sides; pmix runs `kernel(A, W, F, B, K, J, out)`.
import { writeArray } from './files.mjs';
import { uniformArray } from './gen.mjs';
import { sample } from './stats.mjs';

export function lseCase({ name, title, kernel, kernelName, quickF = 16, repeats = 5, warmup = 1 }) {
  return {
    name,
    title,
    peer: 'numpy float32: m = A.max(-1); log(matmul(exp(A - m), W)) + m',
    peerScript: 'lse.py',
    needs: [],
    check: 'mean of all outputs',
    params: (quick) => ({ F: quick ? quickF : 256, B: 4096, K: 64, J: 64, repeats, warmup, seed: 11 }),
    async run(dir, p) {
      const A = uniformArray(Float32Array, p.F * p.B * p.K, -20, 5, p.seed);
      const W = uniformArray(Float32Array, p.F * p.K * p.J, 0, 1, p.seed + 1);
      writeArray(dir, 'A.f32', A);
      writeArray(dir, 'W.f32', W);
      const out = new Float32Array(p.F * p.B * p.J);
      const samples = await sample(() => kernel(A, W, p.F, p.B, p.K, p.J, out), p.repeats, p.warmup);
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i];
      return { samples, check: s / out.length, kernel: kernelName };
    },
  };
}
