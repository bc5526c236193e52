// GMM EM per iteration, diag covariance, N=100k D=16 K=32, against scikit-learn.
import { gmmEmCase } from '../lib/gmm-em.mjs';

export default gmmEmCase({ name: 'gmm-em-diag', variant: 'diag', d: 16, k: 32 });
