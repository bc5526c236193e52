// Sparse variational GP: one epoch on N = 1,000,000 points, M = 100, batch 256 (pmix alone).
import { runtimeGpSparseEpoch } from '../lib/gp-sparse-case.mjs';

export default runtimeGpSparseEpoch(1000000, 50000);
