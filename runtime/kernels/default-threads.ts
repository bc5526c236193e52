// How many threads the threaded kernels (Cholesky, the fused GMM E-step, circuit passes) use by
// default: PMIX_THREADS, else every core; 1 where there is no node:os (browsers).
import { envVar, getBuiltin } from './host-builtin.js';

type Os = typeof import('node:os');

export function defaultThreads(): number {
  const env = Number(envVar('PMIX_THREADS'));
  if (Number.isInteger(env) && env >= 1) return env;
  const os = getBuiltin<Os>('node:os');
  try {
    return Math.max(1, os ? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length) : 1);
  } catch {
    return 1;
  }
}
