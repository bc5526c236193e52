// The TensorFlow.js path of logMatmulExp (float32, on the selected backend): one 2-D matMul
// per fold, since wasm's batched 3-D matMul is ~9x slower. The reference the kernel is
// checked against and the baseline it is measured against.
import * as tf from '@tensorflow/tfjs-core';

export function logMatmulExpTf(A: Float32Array, W: Float32Array, F: number, B: number, K: number, J: number, out: Float32Array): void {
  for (let f = 0; f < F; f++) {
    const o = tf.tidy(() => {
      const a = tf.tensor2d(A.subarray(f * B * K, (f + 1) * B * K), [B, K]);
      const mx = tf.max(a, 1, true);
      const m = tf.where(tf.isInf(mx), tf.zerosLike(mx), mx); // all -inf rows: exp gives 0, log -inf
      const w = tf.tensor2d(W.subarray(f * K * J, (f + 1) * K * J), [K, J]);
      return tf.add(tf.log(tf.matMul(tf.exp(tf.sub(a, m)), w)), m);
    });
    out.set(o.dataSync() as Float32Array, f * B * J);
    o.dispose();
  }
}
