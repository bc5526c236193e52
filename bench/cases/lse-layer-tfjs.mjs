// The same layer through TensorFlow.js (per-fold 2-D matMul on the selected backend): the
// baseline the kernel replaces. No warm-up run: it is the slow one.
import { logMatmulExpTf } from '../../dist/runtime/kernels/logsumexp-matmul-tf.js';
import { lseCase } from '../lib/lse.mjs';

export default lseCase({ name: 'lse-layer-tfjs', title: 'log-sum-exp sum layer, tfjs per-fold matMul', kernel: logMatmulExpTf, kernelName: 'tfjs per-fold matMul (f32)', warmup: 0 });
