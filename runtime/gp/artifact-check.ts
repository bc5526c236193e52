// Validation of a gp node read from an artifact (after the generic field checks): its
// variables, kernel tree (known kernels, every parameter present with the shape the kernel
// expects), mean, noise, normalization and inference parameters, and the stored training
// data's shapes. A node that passes can be predicted from without an exception.
import { getKernel } from '../../stdlib/kernels/index.js';
import { getLikelihood } from '../../stdlib/likelihoods/index.js';
import { choleskyFlops, formatSeconds, GP_ARTIFACT_MAX_POINTS, gpStepSeconds } from './cost.js';

type Fail = (field: string, message: string) => never;
type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export function checkGpNode(o: Obj, at: string, params: Obj, nVars: number, fail: Fail): void {
  const shape = (name: unknown, field: string): number[] => {
    if (typeof name !== 'string' || !(name in params)) fail(`${at}.${field}`, `refers to a missing parameter '${String(name)}'`);
    const p = params[name as string];
    return isObj(p) && Array.isArray(p.shape) ? (p.shape as number[]) : [];
  };
  const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
  const varIdx = (x: unknown, field: string): number => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= nVars) fail(`${at}.${field}`, 'expected a variable index');
    return x as number;
  };
  for (const [name, p] of Object.entries(params)) {
    const pr = isObj(p) ? p.prior : undefined;
    if (pr === undefined) continue;
    const ok = isObj(pr) && ['normal', 'lognormal', 'gamma'].includes(pr.kind as string) && typeof pr.a === 'number' && Number.isFinite(pr.a) && typeof pr.b === 'number' && pr.b > 0 && Number.isFinite(pr.b) && (pr.kind !== 'gamma' || (pr.a as number) > 0);
    if (!ok) fail(`ir.params['${name}'].prior`, "expected { kind: 'normal' | 'lognormal' | 'gamma', a, b } with b > 0 (and a > 0 for gamma)");
  }
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) fail(`${at}.inputs`, 'expected a non-empty array of variable indices');
  const inputs = (o.inputs as unknown[]).map((x, i) => varIdx(x, `inputs[${i}]`));
  varIdx(o.output, 'output');
  const outputs = o.outputs === undefined ? [o.output] : Array.isArray(o.outputs) ? (o.outputs as unknown[]) : fail(`${at}.outputs`, 'expected an array');
  outputs.forEach((x, i) => varIdx(x, `outputs[${i}]`));
  const T = outputs.length;
  const D = inputs.length;
  const stride = D + (T > 1 ? 1 : 0);
  const kernel = (k: unknown, field: string): void => {
    if (!isObj(k)) fail(`${at}.${field}`, 'expected a kernel expression object');
    const kk = k as Obj;
    switch (kk.op) {
      case 'base': {
        const kern = typeof kk.name === 'string' ? getKernel(kk.name) : undefined;
        if (!kern) fail(`${at}.${field}.name`, `unknown kernel '${String(kk.name)}'`);
        if (!isObj(kk.params)) fail(`${at}.${field}.params`, 'expected an object');
        const opts = kk.options === undefined ? {} : isObj(kk.options) ? (kk.options as Record<string, number>) : fail(`${at}.${field}.options`, 'expected an object');
        for (const o2 of kern!.options ?? []) {
          const v = opts[o2.name] ?? o2.default;
          if (typeof v !== 'number' || !Number.isInteger(v) || v < o2.min || v > 4096) fail(`${at}.${field}.options.${o2.name}`, `expected a whole number >= ${o2.min}`);
        }
        const dims = kk.dims === undefined ? Array.from({ length: stride }, (_, i) => i) : Array.isArray(kk.dims) ? (kk.dims as unknown[]) : fail(`${at}.${field}.dims`, 'expected an array');
        dims.forEach((d, i) => {
          if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d >= stride) fail(`${at}.${field}.dims[${i}]`, `expected a column index below ${stride}`);
        });
        if (kern!.name === 'coregion' && (dims.length !== 1 || T < 2 || (opts.tasks ?? 1) !== T)) fail(`${at}.${field}`, 'coregion acts on the task column of a multitask GP');
        const ctx = { dims: dims.length, options: opts };
        for (const spec of kern!.params) {
          const ref = (kk.params as Obj)[spec.name];
          const s = shape(ref, `${field}.params.${spec.name}`);
          const want = spec.shape(ctx);
          const ok = size(s) === size(want) || (spec.ard && size(s) === dims.length);
          if (!ok) fail(`${at}.${field}.params.${spec.name}`, `parameter '${String(ref)}' has ${size(s)} values; ${kern!.name}'s ${spec.name} needs ${size(want)}${spec.ard ? ` or ${dims.length}` : ''}`);
          if (spec.positive) positive(ref as string, `${field}.params.${spec.name}`);
        }
        return;
      }
      case 'sum':
      case 'product':
        if (!Array.isArray(kk.terms) || kk.terms.length === 0) fail(`${at}.${field}.terms`, 'expected a non-empty array');
        (kk.terms as unknown[]).forEach((t, i) => kernel(t, `${field}.terms[${i}]`));
        return;
      case 'scale':
        if (size(shape(kk.factor, `${field}.factor`)) !== 1) fail(`${at}.${field}.factor`, 'a scale is one number');
        positive(kk.factor as string, `${field}.factor`);
        kernel(kk.kernel, `${field}.kernel`);
        return;
      default:
        fail(`${at}.${field}.op`, `expected 'base', 'sum', 'product' or 'scale'`);
    }
  };
  const positive = (name: string, field: string): void => {
    const p = params[name];
    const vals = isObj(p) && Array.isArray(p.value) ? (p.value as number[]) : [];
    if (vals.some((v) => !(v > 0))) fail(`${at}.${field}`, `parameter '${name}' must be > 0`);
  };
  kernel(o.kernel, 'kernel');
  const noise = shape(o.noise, 'noise');
  if (size(noise) !== 1 && size(noise) !== T) fail(`${at}.noise`, `expected 1 or ${T} values`);
  const nv = isObj(params[o.noise as string]) ? ((params[o.noise as string] as Obj).value as number[]) : [];
  if (nv.some((v) => !(v >= 0))) fail(`${at}.noise`, 'noise variances must be >= 0');
  const mean = isObj(o.mean) ? o.mean : fail(`${at}.mean`, 'expected an object');
  if (mean.kind === 'constant') {
    if (size(shape(mean.c, 'mean.c')) !== 1) fail(`${at}.mean.c`, 'expected one value');
  } else if (mean.kind === 'linear') {
    if (size(shape(mean.w, 'mean.w')) !== D) fail(`${at}.mean.w`, `expected ${D} values`);
    if (size(shape(mean.b, 'mean.b')) !== 1) fail(`${at}.mean.b`, 'expected one value');
  } else if (mean.kind !== 'zero') fail(`${at}.mean.kind`, "expected 'zero', 'constant' or 'linear'");
  if (o.normalize !== undefined) {
    const nz = isObj(o.normalize) ? o.normalize : fail(`${at}.normalize`, 'expected an object');
    if (size(shape(nz.shift, 'normalize.shift')) !== T) fail(`${at}.normalize.shift`, `expected ${T} values`);
    if (size(shape(nz.scale, 'normalize.scale')) !== T) fail(`${at}.normalize.scale`, `expected ${T} values`);
    positive(nz.scale as string, 'normalize.scale');
  }
  if (o.likelihood !== undefined) checkLikelihood(o.likelihood, `${at}.likelihood`, T, (name, field) => shape(name, field), params, fail);
  const inf = isObj(o.inference) ? o.inference : fail(`${at}.inference`, 'expected an object');
  if (isObj(o.likelihood) && o.likelihood.classes !== undefined && inf.kind !== 'exact') fail(`${at}.inference.kind`, "a categorical GP's inference is 'exact' (the Laplace approximation)");
  if (inf.kind === 'exact') {
    if (inf.train === undefined) return; // an unfitted model: queries refuse it
    const tr = isObj(inf.train) ? inf.train : fail(`${at}.inference.train`, 'expected an object');
    const xs = shape(tr.x, 'inference.train.x');
    const ys = shape(tr.y, 'inference.train.y');
    if (xs.length !== 2 || xs[1] !== stride || ys.length !== 1 || xs[0] !== ys[0] || ys[0]! < 1) fail(`${at}.inference.train`, `expected x of shape [n, ${stride}] and y of shape [n], n >= 1`);
    const lik = isObj(o.likelihood) ? getLikelihood(o.likelihood.name as string) : undefined;
    const yv = (params[tr.y as string] as Obj).value;
    if (lik && Array.isArray(yv)) {
      const classes = isObj(o.likelihood) && typeof o.likelihood.classes === 'number' ? o.likelihood.classes : undefined;
      const k = yv.findIndex((v) => typeof v !== 'number' || lik.badValue(v, classes) !== undefined);
      if (k >= 0) fail(`ir.params['${String(tr.y)}'].value[${k}]`, lik.badValue(Number(yv[k]), classes) ?? 'expected a number');
    }
    // Every load factors the n x n kernel matrix once: refuse before any work what would not load in seconds.
    if (ys[0]! > GP_ARTIFACT_MAX_POINTS) fail(`${at}.inference.train`, `${ys[0]!.toLocaleString('en-US')} training points ('${String(tr.y)}'): factoring them on load would take about ${formatSeconds(gpStepSeconds(ys[0]!))} (a Cholesky of ${choleskyFlops(ys[0]!).toExponential(2)} flops); a saved exact GP may carry at most ${GP_ARTIFACT_MAX_POINTS.toLocaleString('en-US')}: refit it as a sparse GP (inference = sparse(m = 500)) or on a subsample`);
  } else if (inf.kind === 'sparse') {
    const m = inf.m;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 4096) fail(`${at}.inference.m`, 'expected a whole number between 1 and 4096');
    const M = m as number;
    const z = shape(inf.inducing, 'inference.inducing');
    if (z.length !== 2 || z[0] !== M || z[1] !== stride) fail(`${at}.inference.inducing`, `expected shape [${M}, ${stride}]`);
    if (size(shape(inf.qMean, 'inference.qMean')) !== M) fail(`${at}.inference.qMean`, `expected ${M} values`);
    if (size(shape(inf.qSqrt, 'inference.qSqrt')) !== M * M) fail(`${at}.inference.qSqrt`, `expected ${M * M} values`);
    if (inf.learnInducing !== undefined && typeof inf.learnInducing !== 'boolean') fail(`${at}.inference.learnInducing`, 'expected true or false');
  } else if (inf.kind === 'vecchia') {
    const m = inf.m;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 1000) fail(`${at}.inference.m`, 'expected a whole number between 1 and 1000');
    if (T > 1) fail(`${at}.inference.kind`, 'a vecchia GP has one output');
    if (inf.train === undefined) return; // an unfitted model: queries refuse it
    const tr = isObj(inf.train) ? inf.train : fail(`${at}.inference.train`, 'expected an object');
    const xs = shape(tr.x, 'inference.train.x');
    const ys = shape(tr.y, 'inference.train.y');
    if (xs.length !== 2 || xs[1] !== stride || ys.length !== 1 || xs[0] !== ys[0] || ys[0]! < 1) fail(`${at}.inference.train`, `expected x of shape [n, ${stride}] and y of shape [n], n >= 1`);
  } else fail(`${at}.inference.kind`, "expected 'exact', 'sparse' or 'vecchia'");
}

/** A non-Gaussian likelihood: a known name and link, one positive parameter per the likelihood's list. */
function checkLikelihood(l: unknown, at: string, T: number, shape: (name: unknown, field: string) => number[], params: Obj, fail: Fail): void {
  if (!isObj(l)) fail(at, 'expected an object');
  const o = l as Obj;
  const lik = typeof o.name === 'string' ? getLikelihood(o.name) : undefined;
  if (!lik) fail(`${at}.name`, `unknown likelihood '${String(o.name)}'`);
  if (T !== 1) fail(at, 'a likelihood takes one output');
  if (lik!.multiclass ? typeof o.classes !== 'number' || !Number.isInteger(o.classes) || o.classes < 2 || o.classes > 1000 : o.classes !== undefined) fail(`${at}.classes`, lik!.multiclass ? 'expected the number of classes, a whole number between 2 and 1000' : `a ${lik!.name} likelihood has no classes`);
  if (typeof o.link !== 'string' || !lik!.links.includes(o.link)) fail(`${at}.link`, `expected ${lik!.links.map((x) => `'${x}'`).join(' or ')}`);
  if (!Array.isArray(o.params) || o.params.length !== lik!.params.length) fail(`${at}.params`, `expected ${lik!.params.length} parameter name(s) (${lik!.params.map((p) => p.name).join(', ') || 'none'})`);
  (o.params as unknown[]).forEach((name, i) => {
    if (shape(name, `likelihood.params[${i}]`).reduce((a, b) => a * b, 1) !== 1) fail(`${at}.params[${i}]`, 'expected one value');
    const v = (params[name as string] as Obj).value;
    if (!Array.isArray(v) || !(Number(v[0]) > 0) || !Number.isFinite(Number(v[0]))) fail(`${at}.params[${i}]`, `parameter '${String(name)}' (${lik!.params[i]!.name}) must be a finite number > 0`);
  });
}
