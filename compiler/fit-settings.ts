// Checks the arguments of a `fit ... by METHOD(args)` statement and fills in defaults
// (scikit-learn's GaussianMixture defaults for EM).
import type { Arg, Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import type { ConstantScope } from './constants.js';
import type { AdamSettings, EMSettings, FitSettings, IncrementalSettings, LbfgsSettings, OnlineSettings, RestartsFrom } from './program.js';
import { own } from '../stdlib/own.js';

type Kind = 'int+' | 'int0' | 'real+' | 'real0' | 'init' | 'unit' | 'bool' | 'restarts_from' | 'column';

/** Where the random restarts of a GP fit draw their starting hyperparameters (runtime/gp/init.ts; the default 'start' found better optima on the examples: docs/gp.md). */
export const RESTARTS_FROM = ['bounds', 'start'] as const;

const METHODS: Record<string, Record<string, Kind>> = {
  em: { max_iter: 'int+', tol: 'real0', restarts: 'int+', init: 'init', reg_covar: 'real0', seed: 'int0', batch: 'int0', step_size: 'unit', smoothing: 'real0', validation: 'unit', patience: 'int+', stream: 'bool', chunk: 'int+', init_rows: 'int+', labels: 'column', per_class: 'int+' },
  adam: { lr: 'real+', epochs: 'int+', batch: 'int+', seed: 'int0', reg_covar: 'real0', init: 'init', validation: 'unit', patience: 'int+', tol: 'real+' },
  lbfgs: { max_iter: 'int+', restarts: 'int+', restarts_from: 'restarts_from', tol: 'real0', seed: 'int0' },
  incremental: { novelty: 'unit', max_k: 'int+', scale: 'real+', v_min: 'real0', a_min: 'int0', merge: 'bool', drift: 'real+', check_every: 'int+', reg_covar: 'real0', init_rows: 'int+', stream: 'bool', chunk: 'int+' },
  online: { batch: 'int+', alpha: 'real+', passes: 'int+', seed: 'int0', reg_covar: 'real0', init: 'init', init_rows: 'int+', smoothing: 'real0' },
};

export const FIT_METHODS = Object.keys(METHODS);

/** Defaults of each method (scikit-learn's GaussianMixture for EM). */
export const EM_DEFAULTS: EMSettings = { method: 'em', maxIter: 100, tol: 1e-3, restarts: 1, init: 'kmeans', regCovar: 1e-6, seed: 0 };
export const LBFGS_DEFAULTS: LbfgsSettings & { restartsFrom: RestartsFrom } = { method: 'lbfgs', maxIter: 200, restarts: 1, restartsFrom: 'start', tol: 1e-5, seed: 0 };
/** The incremental Gaussian mixture's defaults (docs/fitting.md, "incremental", says why). */
export const INCREMENTAL_DEFAULTS: IncrementalSettings = { method: 'incremental', novelty: 0.999, scale: 0.2, merge: true, drift: 1e-10, checkEvery: 1000, regCovar: 1e-6, initRows: 1000 };
export const ADAM_DEFAULTS: AdamSettings = { method: 'adam', lr: 0.05, epochs: 100, batch: 256, seed: 0, regCovar: 1e-6, init: 'kmeans' };
/** Online (stepwise) EM: batches of 256 rows, step sizes (t + 2)^-0.6, one pass (Liang & Klein's defaults for alpha and batch). */
export const ONLINE_SETTINGS_DEFAULTS: OnlineSettings = { method: 'online', batch: 256, alpha: 0.6, passes: 1, seed: 0, regCovar: 1e-6, init: 'kmeans' };

export function fitSettings(
  method: { name: string; span: Span },
  args: readonly Arg[],
  consts: ConstantScope,
  file: string,
  diags: Diagnostic[],
): FitSettings | undefined {
  const spec = own(METHODS, method.name);
  if (!spec) {
    diags.push({
      severity: 'error',
      code: 'unknown-name',
      message: `unknown fit method '${method.name}' (known: ${FIT_METHODS.join(', ')})`,
      span: method.span,
      file,
      hint: suggestionHint(method.name, FIT_METHODS),
    });
    return undefined;
  }
  const got: Record<string, number | string> = {};
  let ok = true;
  for (const a of args) {
    const bad = (message: string, hint?: string): void => {
      diags.push({ severity: 'error', code: 'bad-value', message, span: a.span, file, hint });
      ok = false;
    };
    const kind = own(spec, a.name.name);
    if (!kind) {
      diags.push({
        severity: 'error',
        code: 'unknown-argument',
        message: `${method.name} has no argument '${a.name.name}' (it takes ${Object.keys(spec).join(', ')})`,
        span: a.name.span,
        file,
        hint: suggestionHint(a.name.name, Object.keys(spec)),
      });
      ok = false;
      continue;
    }
    if (!a.value) {
      bad(`${a.name.name} needs a value, e.g. ${a.name.name} = ...`);
      continue;
    }
    if (kind === 'init') {
      const name = a.value.kind === 'name' ? a.value.name : a.value.kind === 'string' ? a.value.value : undefined;
      const norm = name === 'k-means++' || name === 'kmeanspp' ? 'kmeans' : name;
      if (norm !== 'kmeans' && norm !== 'random') {
        bad(`init must be kmeans or random`, name ? suggestionHint(name, ['kmeans', 'random']) : undefined);
        continue;
      }
      got[a.name.name] = norm;
      continue;
    }
    if (kind === 'column') {
      const name = a.value.kind === 'name' ? a.value.name : a.value.kind === 'string' ? a.value.value : undefined;
      if (name === undefined) {
        bad(`${a.name.name} must name a column of the data, e.g. ${a.name.name} = species`);
        continue;
      }
      got[a.name.name] = name;
      continue;
    }
    if (kind === 'restarts_from') {
      const name = a.value.kind === 'name' ? a.value.name : a.value.kind === 'string' ? a.value.value : undefined;
      if (name !== 'bounds' && name !== 'start') {
        bad(`restarts_from must be bounds (log-uniform over each hyperparameter's bounds) or start (within a factor of 30 of the starting values)`, name ? suggestionHint(name, [...RESTARTS_FROM]) : undefined);
        continue;
      }
      got[a.name.name] = name;
      continue;
    }
    const v = consts.evaluate(a.value, diags);
    if (v === undefined) {
      ok = false;
      continue;
    }
    if (kind === 'bool') {
      if (typeof v === 'boolean' || v === 0 || v === 1) got[a.name.name] = v === true || v === 1 ? 1 : 0;
      else bad(`${a.name.name} must be true or false`);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      bad(`${a.name.name} must be a finite number`);
      continue;
    }
    if ((kind === 'int+' || kind === 'int0') && !Number.isInteger(v)) bad(`${a.name.name} must be an integer, got ${v}`);
    else if (a.name.name === 'max_k' && v < 1) bad(`max_k must be at least 1 (the most components the incremental mixture may create), got ${v}`);
    else if ((kind === 'int+' || kind === 'real+') && v <= 0) bad(`${a.name.name} must be > 0, got ${v}`);
    else if ((kind === 'int0' || kind === 'real0') && v < 0) bad(`${a.name.name} must be >= 0, got ${v}`);
    else if (a.name.name === 'novelty' && !(v > 0 && v < 1)) bad(`novelty must lie in (0, 1): the chi-square level above which a row is unlikely under every component (e.g. 0.999), got ${v}`);
    else if (a.name.name === 'alpha' && !(v > 0.5 && v <= 1)) bad(`alpha must lie in (0.5, 1] (step sizes (t + 2)^-alpha), got ${v}`, 'alpha = 0.6 is a common choice; 1 gives the running average of every batch')
    else if (kind === 'unit' && !(v > 0 && v < 1) && !(a.name.name === 'step_size' && v === 1)) bad(`${a.name.name} must lie in (0, 1${a.name.name === 'step_size' ? ']' : ')'}, got ${v}`);
    else got[a.name.name] = v;
  }
  if (!ok) return undefined;
  const num = (k: string, d: number): number => (typeof got[k] === 'number' ? (got[k] as number) : d);
  const init = (got.init as 'kmeans' | 'random' | undefined) ?? 'kmeans';
  if (method.name === 'em') {
    const d = EM_DEFAULTS;
    return {
      method: 'em',
      maxIter: num('max_iter', d.maxIter),
      tol: num('tol', d.tol),
      restarts: num('restarts', d.restarts),
      init,
      regCovar: num('reg_covar', d.regCovar),
      seed: num('seed', d.seed),
      ...(typeof got.batch === 'number' ? { batch: got.batch } : {}),
      ...(typeof got.step_size === 'number' ? { stepSize: got.step_size } : {}),
      ...(typeof got.smoothing === 'number' ? { smoothing: got.smoothing } : {}),
      ...(typeof got.validation === 'number' ? { validation: got.validation } : {}),
      ...(typeof got.patience === 'number' ? { patience: got.patience } : {}),
      ...(typeof got.stream === 'number' ? { stream: got.stream === 1 } : {}),
      ...(typeof got.chunk === 'number' ? { chunk: got.chunk } : {}),
      ...(typeof got.init_rows === 'number' ? { initRows: got.init_rows } : {}),
      ...(typeof got.labels === 'string' ? { labels: got.labels } : {}),
      ...(typeof got.per_class === 'number' ? { perClass: got.per_class } : {}),
    };
  }
  if (method.name === 'online') {
    const o = ONLINE_SETTINGS_DEFAULTS;
    return {
      method: 'online',
      batch: num('batch', o.batch),
      alpha: num('alpha', o.alpha),
      passes: num('passes', o.passes),
      seed: num('seed', o.seed),
      regCovar: num('reg_covar', o.regCovar),
      init,
      ...(typeof got.init_rows === 'number' ? { initRows: got.init_rows } : {}),
      ...(typeof got.smoothing === 'number' ? { smoothing: got.smoothing } : {}),
    };
  }
  if (method.name === 'incremental') {
    const d = INCREMENTAL_DEFAULTS;
    return {
      method: 'incremental',
      novelty: num('novelty', d.novelty),
      ...(typeof got.max_k === 'number' ? { maxK: got.max_k } : {}),
      scale: num('scale', d.scale),
      ...(typeof got.v_min === 'number' ? { vMin: got.v_min } : {}),
      ...(typeof got.a_min === 'number' ? { aMin: got.a_min } : {}),
      merge: typeof got.merge === 'number' ? got.merge === 1 : d.merge,
      drift: num('drift', d.drift),
      checkEvery: num('check_every', d.checkEvery),
      regCovar: num('reg_covar', d.regCovar),
      initRows: num('init_rows', d.initRows),
      ...(typeof got.stream === 'number' ? { stream: got.stream === 1 } : {}),
      ...(typeof got.chunk === 'number' ? { chunk: got.chunk } : {}),
    };
  }
  if (method.name === 'lbfgs') {
    const l = LBFGS_DEFAULTS;
    return { method: 'lbfgs', maxIter: num('max_iter', l.maxIter), restarts: num('restarts', l.restarts), restartsFrom: (got.restarts_from as RestartsFrom | undefined) ?? l.restartsFrom, tol: num('tol', l.tol), seed: num('seed', l.seed) };
  }
  const d = ADAM_DEFAULTS;
  return {
    method: 'adam',
    lr: num('lr', d.lr),
    epochs: num('epochs', d.epochs),
    batch: num('batch', d.batch),
    seed: num('seed', d.seed),
    regCovar: num('reg_covar', d.regCovar),
    init,
    ...(typeof got.validation === 'number' ? { validation: got.validation } : {}),
    ...(typeof got.patience === 'number' ? { patience: got.patience } : {}),
    ...(typeof got.tol === 'number' ? { tol: got.tol } : {}),
  };
}

/** The settings of a method with every default: a family's default method for `fit M on d` without `by` (ModelFamily.defaultMethod). */
export function defaultFitSettings(method: FitSettings['method']): FitSettings {
  return method === 'lbfgs' ? LBFGS_DEFAULTS : method === 'adam' ? ADAM_DEFAULTS : EM_DEFAULTS;
}
