// Checks the arguments of a `fit ... by METHOD(args)` statement and fills in defaults
// (scikit-learn's GaussianMixture defaults for EM).
import type { Arg, Span } from '../language/ast.js';
import type { Diagnostic } from '../language/diagnostics.js';
import { suggestionHint } from '../language/suggest.js';
import type { ConstantScope } from './constants.js';
import type { AdamSettings, EMSettings, FitSettings } from './program.js';

type Kind = 'int+' | 'int0' | 'real+' | 'real0' | 'init';

const METHODS: Record<string, Record<string, Kind>> = {
  em: { max_iter: 'int+', tol: 'real0', restarts: 'int+', init: 'init', reg_covar: 'real0', seed: 'int0' },
  adam: { lr: 'real+', epochs: 'int+', batch: 'int+', seed: 'int0', reg_covar: 'real0', init: 'init' },
};

export const FIT_METHODS = Object.keys(METHODS);

/** Defaults of each method (scikit-learn's GaussianMixture for EM). */
export const EM_DEFAULTS: EMSettings = { method: 'em', maxIter: 100, tol: 1e-3, restarts: 1, init: 'kmeans', regCovar: 1e-6, seed: 0 };
export const ADAM_DEFAULTS: AdamSettings = { method: 'adam', lr: 0.05, epochs: 100, batch: 256, seed: 0, regCovar: 1e-6, init: 'kmeans' };

export function fitSettings(
  method: { name: string; span: Span },
  args: readonly Arg[],
  consts: ConstantScope,
  file: string,
  diags: Diagnostic[],
): FitSettings | undefined {
  const spec = METHODS[method.name];
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
    const kind = spec[a.name.name];
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
    const v = consts.evaluate(a.value, diags);
    if (v === undefined) {
      ok = false;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      bad(`${a.name.name} must be a finite number`);
      continue;
    }
    if ((kind === 'int+' || kind === 'int0') && !Number.isInteger(v)) bad(`${a.name.name} must be an integer, got ${v}`);
    else if ((kind === 'int+' || kind === 'real+') && v <= 0) bad(`${a.name.name} must be > 0, got ${v}`);
    else if ((kind === 'int0' || kind === 'real0') && v < 0) bad(`${a.name.name} must be >= 0, got ${v}`);
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
    };
  }
  const d = ADAM_DEFAULTS;
  return { method: 'adam', lr: num('lr', d.lr), epochs: num('epochs', d.epochs), batch: num('batch', d.batch), seed: num('seed', d.seed), regCovar: num('reg_covar', d.regCovar), init };
}
