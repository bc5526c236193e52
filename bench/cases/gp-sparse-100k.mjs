// Sparse variational GP: one epoch of minibatch training (natural-gradient step on q(u) and
// an Adam step on the hyperparameters per batch of 256) on N = 100,000 points, M = 100
// inducing points. scikit-learn has no sparse GP: pmix is timed alone.
import { runtimeGpSparseEpoch } from '../lib/gp-sparse-case.mjs';

export default runtimeGpSparseEpoch(100000, 10000);
