// The forward pass written with TensorFlow.js ops (float32, on the selected backend): the
// reference the fused float64 kernels of runtime/evaluate.ts are tested against, and the
// path circuits' batched layers build on. Leaf log-densities come from the stdlib families.
import * as tf from '@tensorflow/tfjs-core';
import { gather, type ModelState } from '../state.js';

/** Root log-values of the n rows of x, computed layer by layer as tensors. */
export function forwardTf(state: ModelState, x: Float64Array, n: number): Float32Array {
  return tf.tidy(() => {
    const v = state.graph.vars.length;
    const vals = new Map<string, tf.Tensor2D>();
    for (const node of state.nodes) {
      let out: tf.Tensor2D;
      switch (node.kind) {
        case 'input': {
          const layer = state.layers.get(node.id)!;
          const buf = new Float64Array(n * node.units);
          layer.family.logDensity(layer.params, layer.ctx, gather(x, n, v, node.scope), n, buf);
          out = tf.tensor2d(Float32Array.from(buf), [n, node.units]);
          break;
        }
        case 'product': {
          const kids = node.children.map((c) => vals.get(c)!);
          if (node.mode === 'hadamard') out = tf.addN(kids);
          else
            out = kids.reduce((acc, k) =>
              tf.reshape(tf.add(tf.expandDims(acc, 2), tf.expandDims(k, 1)), [n, acc.shape[1] * k.shape[1]]),
            );
          break;
        }
        case 'mixing': {
          const input = tf.concat(node.children.map((c) => vals.get(c)!), 1); // [n, A * U]
          const logW = tf.log(tf.tensor2d(Float32Array.from(state.values.get(node.weights)!), [node.units, node.arity]));
          const per = tf.add(tf.reshape(input, [n, node.arity, node.units]), tf.expandDims(tf.transpose(logW), 0)); // [n, A, U]
          out = tf.logSumExp(per, 1) as tf.Tensor2D;
          break;
        }
        case 'sum': {
          const input = tf.concat(node.children.map((c) => vals.get(c)!), 1); // [n, I]
          const I = input.shape[1];
          const logW = tf.log(tf.tensor2d(Float32Array.from(state.values.get(node.weights)!), [node.units, I]));
          out = tf.logSumExp(tf.add(tf.expandDims(input, 1), tf.expandDims(logW, 0)), 2) as tf.Tensor2D;
          break;
        }
        default:
          throw new Error(`node kind '${node.kind}' has no tensor forward yet`);
      }
      vals.set(node.id, out);
    }
    return vals.get(state.graph.root)!.dataSync() as Float32Array;
  });
}
