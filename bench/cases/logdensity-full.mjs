// Log-density of 1M points under a full-covariance GMM, D=16 K=32, against scikit-learn.
import { logDensityCase } from '../lib/logdensity.mjs';

export default logDensityCase({ name: 'logdensity-full', variant: 'full', d: 16, k: 32 });
