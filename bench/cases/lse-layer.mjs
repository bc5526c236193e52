// The log-sum-exp sum layer (F=256 folds, B=4096, K=J=64, float32) on pmix's own kernel.
import { logMatmulExp } from '../../dist/runtime/kernels/logsumexp-matmul.js';
import { lseCase } from '../lib/lse.mjs';

export default lseCase({ name: 'lse-layer', title: 'log-sum-exp sum layer, kernels/logsumexp-matmul', kernel: logMatmulExp, kernelName: 'kernels/logsumexp-matmul (wasm SIMD f32)' });
