// A kernel density estimate: the training rows, their weights, the kernel, and the resolved
// bandwidth (a d_r x d_r matrix H over the real columns; lambda per categorical column).
// createKde validates every input and names the key, row and column of what is wrong.
import { PmixError } from '../../runtime/errors.js';
import { dataCovariance, effectiveSize, normalReference, scottFactor, silvermanFactor, type WeightedData } from './bandwidth.js';
import { isKernelName, KERNEL_NAMES, type KernelName } from './kernels.js';
import { cholesky, isDiagonal } from './linalg.js';

/** radial: one kernel of the Mahalanobis distance |H^(-1/2) (x - x_i)| (scikit-learn's KernelDensity);
 *  product: a 1-D kernel per real column (statsmodels' KDEMultivariate); the same for gaussian. */
export type KdeForm = 'radial' | 'product';

export interface KdeColumn {
  readonly name: string;
  readonly type: 'real' | 'categorical';
  /** categorical: values are the integers 0 .. levels - 1 */
  readonly levels?: number;
}

/** h (H = h^2 I) | per real column h_j | a full H | H = f^2 Cov (data-whitened) | a rule. */
export type BandwidthSpec = number | readonly number[] | { readonly matrix: readonly (readonly number[])[] } | { readonly whitened: number } | 'scott' | 'silverman' | 'normal_reference';

export interface KdeSpec {
  /** rows (n arrays of d numbers), or a row-major Float64Array with `d` given */
  readonly data: readonly (readonly number[])[] | Float64Array;
  readonly d?: number;
  readonly columns?: readonly KdeColumn[];
  readonly kernel?: KernelName;
  readonly form?: KdeForm;
  readonly bandwidth?: BandwidthSpec;
  /** Aitchison-Aitken smoothing of each categorical column, in [0, 1] (default: normal_reference, clipped) */
  readonly lambda?: number | readonly number[];
  /** non-negative row weights (normalized here) */
  readonly weights?: readonly number[] | Float64Array;
}

export interface Kde {
  readonly n: number;
  readonly d: number;
  readonly x: Float64Array;
  /** normalized weights, or null for 1/n each */
  readonly w: Float64Array | null;
  readonly columns: readonly KdeColumn[];
  readonly kernel: KernelName;
  readonly form: KdeForm;
  /** indices of the real and the categorical columns */
  readonly real: Int32Array;
  readonly cat: Int32Array;
  /** bandwidth matrix over the real columns (real.length^2, row-major); diagonal for the product form */
  readonly H: Float64Array;
  readonly lambda: Float64Array;
  /** how the bandwidth was chosen (for summaries) */
  readonly bandwidthLabel: string;
}

const fail = (msg: string): never => {
  throw new PmixError(`kde: ${msg}`, 'kde');
};

function rowsToArray(spec: KdeSpec): { x: Float64Array; n: number; d: number } {
  if (spec.data instanceof Float64Array) {
    const d = spec.d ?? spec.columns?.length;
    if (!d || !Number.isInteger(d) || d < 1) fail("key 'd': give the number of columns of the Float64Array data");
    if (spec.data.length % d! !== 0) fail(`key 'data': length ${spec.data.length} is not a multiple of d = ${d}`);
    return { x: spec.data, n: spec.data.length / d!, d: d! };
  }
  if (!Array.isArray(spec.data)) fail("key 'data': expected an array of rows or a Float64Array");
  const rows = spec.data as readonly (readonly number[])[];
  const d = rows[0]?.length ?? spec.columns?.length ?? 0;
  const x = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== d) fail(`data row ${i + 1}: expected ${d} values, got ${Array.isArray(r) ? r.length : typeof r}`);
    for (let j = 0; j < d; j++) x[i * d + j] = r[j] as number;
  });
  return { x, n: rows.length, d };
}

/** Builds a KDE from a spec; throws a PmixError naming the key, row or column at fault. */
export function createKde(spec: KdeSpec): Kde {
  const { x, n, d } = rowsToArray(spec);
  if (n < 1 || d < 1) fail("key 'data': needs at least one row and one column");
  const kernel = spec.kernel ?? 'gaussian';
  if (!isKernelName(kernel)) fail(`key 'kernel': unknown kernel '${String(kernel)}' (kernels: ${KERNEL_NAMES.join(', ')})`);
  const form = spec.form ?? 'radial';
  if (form !== 'radial' && form !== 'product') fail(`key 'form': expected 'radial' or 'product', got '${String(form)}'`);
  const columns = spec.columns ?? Array.from({ length: d }, (_, j) => ({ name: `x${j + 1}`, type: 'real' as const }));
  if (columns.length !== d) fail(`key 'columns': ${columns.length} columns for data with ${d}`);
  columns.forEach((c, j) => {
    if (c.type === 'categorical' && !(Number.isInteger(c.levels) && c.levels! >= 2)) fail(`key 'columns', column '${c.name}': a categorical column needs levels >= 2`);
    else if (c.type !== 'real' && c.type !== 'categorical') fail(`key 'columns', column '${c.name}' (${j + 1}): type must be 'real' or 'categorical'`);
  });
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]!;
      const c = columns[j]!;
      if (!Number.isFinite(v)) fail(`data row ${i + 1}, column '${c.name}': ${v} (training data may not have missing or infinite cells)`);
      if (c.type === 'categorical' && !(Number.isInteger(v) && v >= 0 && v < c.levels!)) fail(`data row ${i + 1}, column '${c.name}': ${v} is not a level 0..${c.levels! - 1}`);
    }
  const w = normalizeWeights(spec.weights, n);
  const real = Int32Array.from(columns.flatMap((c, j) => (c.type === 'real' ? [j] : [])));
  const cat = Int32Array.from(columns.flatMap((c, j) => (c.type === 'categorical' ? [j] : [])));
  const base = { n, d, x, w, columns, kernel, form: kernel === 'gaussian' ? ('radial' as const) : form, real, cat };
  const { H, label } = resolveBandwidth(base, spec.bandwidth ?? 'scott');
  const lambda = resolveLambda(base, spec.lambda);
  return { ...base, H, lambda, bandwidthLabel: label };
}

function normalizeWeights(weights: KdeSpec['weights'], n: number): Float64Array | null {
  if (weights === undefined) return null;
  if (weights.length !== n) fail(`key 'weights': ${weights.length} weights for ${n} rows`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = weights[i]!;
    if (!(Number.isFinite(v) && v >= 0)) fail(`key 'weights', row ${i + 1}: ${v} (weights must be finite and >= 0)`);
    s += v;
  }
  if (!(s > 0)) fail("key 'weights': all weights are zero");
  return Float64Array.from(weights, (v) => v / s);
}

type KdeBase = Pick<Kde, 'n' | 'd' | 'x' | 'w' | 'columns' | 'kernel' | 'form' | 'real' | 'cat'>;

/** The real (or given) columns as weighted data, for the rules. */
export function columnData(k: KdeBase, cols: Int32Array): WeightedData {
  const dr = cols.length;
  const x = new Float64Array(k.n * dr);
  for (let i = 0; i < k.n; i++) for (let a = 0; a < dr; a++) x[i * dr + a] = k.x[i * k.d + cols[a]!]!;
  return { x, n: k.n, d: dr, w: k.w };
}

/** Resolves a bandwidth spec to H over the real columns (diagonal for the product form). */
export function resolveBandwidth(k: KdeBase, spec: BandwidthSpec): { H: Float64Array; label: string } {
  const dr = k.real.length;
  const H = new Float64Array(dr * dr);
  const positive = (v: unknown, where: string): number => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(`${where}: ${String(v)} (a bandwidth must be a finite number > 0)`);
    return v as number;
  };
  if (dr === 0) return { H, label: 'none (no real columns)' };
  const whitened = (f: number, label: string): { H: Float64Array; label: string } => {
    if (k.n < 2) fail(`key 'bandwidth': ${label} needs at least 2 rows`);
    const cov = dataCovariance(columnData(k, k.real));
    for (let i = 0; i < dr * dr; i++) H[i] = f * f * cov[i]!;
    if (k.form === 'product') for (let a = 0; a < dr; a++) for (let b = 0; b < dr; b++) if (a !== b) H[a * dr + b] = 0;
    if (!cholesky(H, dr)) fail(`key 'bandwidth': ${label}: the data covariance of the real columns is singular (a constant or collinear column); give a per-column bandwidth`);
    return { H, label };
  };
  if (typeof spec === 'number') {
    const h = positive(spec, "key 'bandwidth'");
    for (let a = 0; a < dr; a++) H[a * dr + a] = h * h;
    return { H, label: `h = ${h}` };
  }
  if (spec === 'scott' || spec === 'silverman') {
    const nEff = effectiveSize({ x: k.x, n: k.n, d: dr, w: k.w });
    const f = spec === 'scott' ? scottFactor(nEff, dr) : silvermanFactor(nEff, dr);
    return whitened(f, `${spec} (H = ${f.toPrecision(6)}^2 Cov)`);
  }
  if (spec === 'normal_reference') {
    const h = normalReference(columnData(k, k.real));
    h.forEach((v, a) => (H[a * dr + a] = positive(v, `key 'bandwidth': normal_reference for column '${k.columns[k.real[a]!]!.name}' (constant column)`) ** 2));
    return { H, label: `normal_reference (h = ${Array.from(h, (v) => v.toPrecision(6)).join(', ')})` };
  }
  if (Array.isArray(spec)) {
    if (spec.length !== dr) fail(`key 'bandwidth': ${spec.length} values for ${dr} real columns`);
    spec.forEach((v, a) => (H[a * dr + a] = positive(v, `key 'bandwidth', column '${k.columns[k.real[a]!]!.name}'`) ** 2));
    return { H, label: `h = [${spec.join(', ')}]` };
  }
  if (typeof spec === 'object' && spec !== null && 'whitened' in spec) return whitened(positive(spec.whitened, "key 'bandwidth.whitened'"), `H = ${spec.whitened}^2 Cov`);
  if (typeof spec === 'object' && spec !== null && 'matrix' in spec) {
    const m = spec.matrix;
    if (!Array.isArray(m) || m.length !== dr || m.some((r) => !Array.isArray(r) || r.length !== dr)) fail(`key 'bandwidth.matrix': expected a ${dr} x ${dr} matrix`);
    for (let a = 0; a < dr; a++)
      for (let b = 0; b < dr; b++) {
        const v = m[a]![b]!;
        if (!Number.isFinite(v)) fail(`key 'bandwidth.matrix', row ${a + 1}, column ${b + 1}: ${v}`);
        if (v !== m[b]![a]) fail(`key 'bandwidth.matrix': not symmetric at row ${a + 1}, column ${b + 1}`);
        H[a * dr + b] = v;
      }
    if (!cholesky(H, dr)) fail("key 'bandwidth.matrix': not positive definite");
    if (k.form === 'product' && !isDiagonal(H, dr)) fail("key 'bandwidth.matrix': the product form needs a diagonal matrix (or use form 'radial')");
    return { H, label: 'H given' };
  }
  return fail(`key 'bandwidth': expected a number, a per-column array, { matrix }, { whitened }, 'scott', 'silverman' or 'normal_reference'`);
}

function resolveLambda(k: KdeBase, spec: KdeSpec['lambda']): Float64Array {
  const dc = k.cat.length;
  if (spec === undefined) {
    // statsmodels applies normal_reference to every column, then bounds discrete ones to [0, 1]
    const h = normalReference(columnData(k, k.cat));
    return h.map((v) => Math.min(1, v));
  }
  const arr = typeof spec === 'number' ? new Array<number>(dc).fill(spec) : spec;
  if (arr.length !== dc) fail(`key 'lambda': ${arr.length} values for ${dc} categorical columns`);
  return Float64Array.from(arr, (v, a) => {
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) fail(`key 'lambda', column '${k.columns[k.cat[a]!]!.name}': ${v} (must be in [0, 1])`);
    return v;
  });
}

/** The same KDE with another bandwidth (cross-validation, conditionals). */
export function withBandwidth(k: Kde, spec: BandwidthSpec): Kde {
  const { H, label } = resolveBandwidth(k, spec);
  return { ...k, H, bandwidthLabel: label };
}
