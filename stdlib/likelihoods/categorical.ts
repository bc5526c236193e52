// Categorical likelihood for class labels y in {0, ..., C-1} with a softmax link over C latent
// functions: p(y = c | f) = exp(f^c) / sum_c' exp(f^c'). It has no scalar derivatives (one latent
// per class): runtime/gp/multiclass.ts carries its Laplace approximation; `multiclass` marks it.
import type { Likelihood } from './types.js';

export const categoricalLikelihood: Likelihood = {
  name: 'categorical',
  links: ['softmax'],
  params: [],
  logConcave: true,
  multiclass: true,
  badValue: (y, classes) =>
    Number.isInteger(y) && y >= 0 && (classes === undefined || y < classes) ? undefined : `a categorical label is a class index 0..${classes !== undefined ? classes - 1 : 'C-1'} (or a level of the column), got ${y}`,
  derivs(): void {
    throw new Error('the categorical likelihood has one latent per class: use runtime/gp/multiclass.ts');
  },
  moments(): { mean: number; variance: number } {
    throw new Error('the categorical likelihood has one latent per class: use runtime/gp/multiclass.ts');
  },
};
