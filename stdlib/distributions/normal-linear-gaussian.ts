// The Normal leaf's closed-form marginal over a standard normal latent z (LeafFamily.linearGaussian,
// used by compiler/passes/analytic-integrals.ts): leaves whose coordinates are independent
// (diag, spherical) with means a_j z + b_j and fixed variances s_j^2 integrate to the Gaussian
// N(b, a a^T + diag(s^2)); the pass finds a, b and s^2, this hook reads the roles and writes
// the resulting leaf (Normal(diag) over one variable, Normal(full) over several).
import type { InputNode, IRParam } from '../../ir/types.js';
import type { LinearGaussianLeaf } from './types.js';

const fmt = (x: number): string => Number(x.toPrecision(6)).toString();

export const normalLinearGaussian: LinearGaussianLeaf = {
  accepts: (variant) => variant === undefined || variant === 'diag' || variant === 'spherical',
  meanRole: 'mean',
  varianceRole: 'var',
  variance: (values, variant, j) => values[variant === 'spherical' ? 0 : j % values.length]!,
  marginal(at, mean, cov) {
    const D = mean.length;
    const id = at.id;
    const src = at.source ? { source: at.source } : {};
    const m: IRParam = { name: `${id}.mean`, shape: [1, D], param: { kind: 'identity' }, value: [...mean], fixed: true, init: 'given', ...src };
    if (D === 1) {
      const v: IRParam = { name: `${id}.var`, shape: [1, 1], param: { kind: 'positive' }, value: [cov[0]!], fixed: true, init: 'given', ...src };
      const node: InputNode = { kind: 'input', id, dist: 'Normal', variant: 'diag', params: { mean: m.name, var: v.name }, scope: at.scope, units: at.units, ...src };
      return { node, params: [m, v], text: `Normal(mean = ${fmt(mean[0]!)}, var = ${fmt(cov[0]!)})` };
    }
    const c: IRParam = { name: `${id}.cov`, shape: [1, D, D], param: { kind: 'spd' }, value: [...cov], fixed: true, init: 'given', ...src };
    const node: InputNode = { kind: 'input', id, dist: 'Normal', variant: 'full', params: { mean: m.name, cov: c.name }, scope: at.scope, units: at.units, ...src };
    return { node, params: [m, c], text: `Normal(full) over ${D} variables` };
  },
};
