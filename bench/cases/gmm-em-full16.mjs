// GMM EM per iteration, full covariance, N=100k D=16 K=32, against scikit-learn.
import { gmmEmCase } from '../lib/gmm-em.mjs';

export default gmmEmCase({ name: 'gmm-em-full16', variant: 'full', d: 16, k: 32 });
