// GMM EM per iteration, full covariance, N=100k D=8 K=32, against scikit-learn.
import { gmmEmCase } from '../lib/gmm-em.mjs';

export default gmmEmCase({ name: 'gmm-em-full8', variant: 'full', d: 8, k: 32 });
