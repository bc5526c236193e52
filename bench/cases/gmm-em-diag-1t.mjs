// GMM EM per iteration, diag covariance, N=100k D=16 K=32, pmix on one thread (gmm-em-diag: every core).
import { gmmEmCase } from '../lib/gmm-em.mjs';

export default gmmEmCase({ name: 'gmm-em-diag-1t', variant: 'diag', d: 16, k: 32, threads: 1 });
