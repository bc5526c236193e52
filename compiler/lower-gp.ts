// Lowers `gp(x -> y) { kernel = ...; mean = ...; noise = ...; normalize_y = ...;
// inference = ...; tasks = ... }` to an IR graph with one gp node: the items here, the kernel
// expressions in lower-gp-kernel.ts (on the parameter scope of lower-gp-scope.ts), the likelihood
// in lower-gp-likelihood.ts. Omitted values are initialized from the data when fitting
// (runtime/gp/init.ts).
import { freeze } from 'immer';
import type { Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import type { GpItem, GpModelExpr, KernelArg } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { asNumeric } from './constants.js';
import { IR_VERSION, type GPInference, type GPLikelihood, type GPMean, type GPNode, type IRGraph, type IRVariable, type KernelExpr } from '../ir/types.js';
import { describeType, src } from './lower-helpers.js';
import { lowerLikelihood } from './lower-gp-likelihood.js';
import type { CompiledProgram } from './program.js';
import { GpKernelLowering } from './lower-gp-kernel.js';

const ITEMS = ['kernel', 'mean', 'noise', 'normalize_y', 'inference', 'tasks', 'likelihood'];
const NOISE_BOUNDS: readonly [number, number] = [1e-10, 1e10];
/** Largest number of inducing points (M^2 values of q_sqrt; O(M^3) per step). */
const MAX_INDUCING = 4096;
/** Each Vecchia point factors an (m+1)-square matrix: O(n m^3) per evaluation. */
const MAX_NEIGHBOURS = 1000;

export function lowerGp(program: CompiledProgram, expr: GpModelExpr, vars: readonly IRVariable[]): { graph?: IRGraph; diagnostics: Diagnostic[] } {
  const g = new GpLowering(program, vars);
  const graph = g.lower(expr);
  return graph && !g.diags.some((d) => d.severity === 'error') ? { graph: freeze(graph, true), diagnostics: g.diags } : { diagnostics: g.diags };
}

class GpLowering extends GpKernelLowering {
  lower(expr: GpModelExpr): IRGraph | undefined {
    const names = this.vars.map((v) => v.name);
    // A bernoulli GP's label may also be a bool or a two-level categorical column (p is of its second level).
    const likItem = expr.items.find((it) => it.name.name === 'likelihood')?.value;
    const labels = likItem?.kind === 'call' && likItem.name.name === 'bernoulli';
    // A categorical GP's label is a categorical column (its levels are the classes) or ints 0..C-1.
    const classLabels = likItem?.kind === 'call' && likItem.name.name === 'categorical';
    const index = (v: GpModelExpr['inputs'][number], output = false): number | undefined => {
      const i = names.indexOf(v.name.name);
      if (i < 0) return this.error(`'${v.name.name}' is not a column of the data`, v.name.span, suggestionHint(v.name.name, names), 'unknown-name');
      const t = this.vars[i]!.type;
      if (output && classLabels && t.kind === 'categorical') return i;
      if (output && classLabels && t.kind !== 'int') return this.error(`a categorical GP's label is a categorical column or ints 0..C-1, but '${v.name.name}' is ${describeType(t)}`, v.name.span, undefined, 'type-mismatch');
      if (output && labels && (t.kind === 'bool' || (t.kind === 'categorical' && t.levels.length === 2))) return i;
      if (output && labels && t.kind === 'categorical') return this.error(`a bernoulli GP's label has two levels, but '${v.name.name}' has ${t.levels.length}`, v.name.span, `for ${t.levels.length} classes write likelihood = categorical`, 'type-mismatch');
      if (t.kind !== 'real' && t.kind !== 'int') return this.error(`a GP's inputs and outputs are numbers, but '${v.name.name}' is ${describeType(t)}`, v.name.span, undefined, 'type-mismatch');
      return i;
    };
    const seen = new Set<string>();
    for (const v of [...expr.inputs, ...expr.outputs]) {
      if (seen.has(v.name.name)) this.error(`'${v.name.name}' appears twice in the GP's variables`, v.name.span, undefined, 'duplicate-name');
      seen.add(v.name.name);
    }
    const inputs = expr.inputs.map((v) => index(v));
    const outputs = expr.outputs.map((v) => index(v, true));
    if (inputs.some((i) => i === undefined) || outputs.some((i) => i === undefined)) return undefined;
    this.D = inputs.length;
    const T = outputs.length;
    const items = new Map<string, GpItem>();
    for (const it of expr.items) {
      if (!ITEMS.includes(it.name.name)) this.error(`a gp block has no item '${it.name.name}' (it takes ${ITEMS.join(', ')})`, it.name.span, suggestionHint(it.name.name, ITEMS), 'unknown-argument');
      else if (items.has(it.name.name)) this.error(`'${it.name.name}' is given twice`, it.name.span, undefined, 'duplicate-name');
      else items.set(it.name.name, it);
    }
    const tasks = this.tasks(items.get('tasks'), T);
    const kItem = items.get('kernel');
    let kernel: KernelExpr | undefined;
    const copies = tasks?.kind === 'lmc' ? tasks.q : 1;
    const perCopy: KernelExpr[] = [];
    for (let q = 0; q < copies; q++) {
      const k = kItem ? this.kernel(kItem.value) : this.defaultKernel(expr.span);
      if (!k) return undefined;
      perCopy.push(k);
    }
    if (tasks) {
      const terms = perCopy.map((k) => ({ op: 'product' as const, terms: [k, this.coregion(T, tasks.rank, expr.span)] }));
      kernel = terms.length === 1 ? terms[0]! : { op: 'sum', terms };
    } else kernel = perCopy[0]!;
    const mean = this.mean(items.get('mean'));
    const likelihood = this.classes(this.likelihood(items, T), outputs[0], items);
    const noise = likelihood ? this.add(`${this.prefix}.noise`, [], [0], { positive: false, bounds: [0, 1], fixed: true, init: 'given', span: expr.span }) : this.noise(items.get('noise'), kernel, T, expr.span);
    const normalize = this.normalize(items.get('normalize_y'), T, expr.span);
    const inference = this.inference(items.get('inference'), expr.span, T);
    if (likelihood === null || !mean || !noise || !inference || this.diags.some((d) => d.severity === 'error')) return undefined;
    const node: GPNode = {
      kind: 'gp',
      id: 'n0',
      scope: [...inputs, ...outputs].map((i) => i!).sort((a, b) => a - b),
      units: 1,
      inputs: inputs.map((i) => i!),
      output: outputs[0]!,
      ...(T > 1 ? { outputs: outputs.map((i) => i!) } : {}),
      kernel,
      mean,
      noise,
      inference,
      ...(normalize ? { normalize } : {}),
      ...(tasks ? { tasks: { kind: tasks.kind, count: T, rank: tasks.rank, q: copies } } : {}),
      ...(likelihood ? { likelihood } : {}),
      source: src(expr.span),
    };
    return { version: IR_VERSION, family: 'gp', vars: [...this.vars], params: this.params, nodes: [node], root: 'n0' };
  }

  /** A non-Gaussian likelihood (undefined: gaussian; null: an error was reported), and the items it rules out. */
  private likelihood(items: ReadonlyMap<string, GpItem>, T: number): GPLikelihood | undefined | null {
    const item = items.get('likelihood');
    const lik = lowerLikelihood(item, { prefix: this.prefix, consts: this.consts, diags: this.diags, params: this.params, error: (m, s, h, c) => this.error(m, s, h, c) });
    if (!lik) return lik;
    const span = item!.value.span;
    if (T > 1) return this.error(`a ${lik.name} likelihood takes one output`, span, undefined, 'unsupported') ?? null;
    const inf = items.get('inference')?.value;
    if (inf?.kind === 'call' && inf.name.name === 'vecchia') {
      return this.error(`vecchia inference takes the gaussian likelihood; a ${lik.name} GP is fitted by the Laplace approximation (exact) or inference = sparse(m = M)`, inf.span, undefined, 'unsupported') ?? null;
    }
    for (const other of ['noise', 'normalize_y']) {
      const it = items.get(other);
      if (it) return this.error(`'${other}' belongs to the gaussian likelihood; a ${lik.name} GP has none`, it.name.span, lik.name === 'student_t' ? 'student_t(scale = ...) sets its noise scale' : undefined, 'unsupported') ?? null;
    }
    return lik;
  }

  /** A categorical likelihood's number of classes: the label column's levels, or `classes = C` for int labels; the multiclass GP's limits. */
  private classes(lik: GPLikelihood | undefined | null, output: number | undefined, items: ReadonlyMap<string, GpItem>): GPLikelihood | undefined | null {
    if (!lik || lik.name !== 'categorical' || output === undefined) return lik;
    const span = items.get('likelihood')!.value.span;
    const t = this.vars[output]!.type;
    const levels = t.kind === 'categorical' ? t.levels.length : undefined;
    if (levels !== undefined && lik.classes !== undefined && lik.classes !== levels) return this.error(`classes = ${lik.classes}, but '${this.vars[output]!.name}' has ${levels} levels`, span, 'leave classes out: the levels give it', 'type-mismatch') ?? null;
    const classes = levels ?? lik.classes;
    if (classes === undefined) return this.error(`an int label needs the number of classes: likelihood = categorical(classes = C) for labels 0..C-1`, span, undefined, 'bad-value') ?? null;
    if (levels !== undefined && levels < 2) return this.error(`a categorical GP's label needs at least 2 levels, but '${this.vars[output]!.name}' has ${levels}`, span, undefined, 'type-mismatch') ?? null;
    const mean = items.get('mean');
    // softmax is unchanged by a latent shift shared by every class: a prior mean would not be identified.
    if (mean) return this.error('a categorical GP has no mean item: its classes share the prior mean, which the softmax cancels', mean.name.span, undefined, 'unsupported') ?? null;
    const inference = items.get('inference')?.value;
    if (inference?.kind === 'call' && inference.name.name === 'sparse') return this.error('sparse inference of a categorical (multiclass) GP is not supported yet: use exact inference (the Laplace approximation)', inference.span, undefined, 'unsupported') ?? null;
    return { ...lik, classes };
  }

  private tasks(item: GpItem | undefined, T: number): { kind: 'icm' | 'lmc'; rank: number; q: number } | undefined {
    if (!item) return T > 1 ? { kind: 'icm', rank: 1, q: 1 } : undefined;
    const v = item.value;
    if (v.kind !== 'call' || (v.name.name !== 'icm' && v.name.name !== 'lmc')) return this.error('tasks is icm(rank = R) or lmc(q = Q, rank = R)', v.span);
    if (T < 2) return this.error('tasks needs several outputs, as in gp(x -> y1, y2)', item.span);
    const out = { kind: v.name.name as 'icm' | 'lmc', rank: 1, q: v.name.name === 'lmc' ? 2 : 1 };
    for (const a of v.args) {
      const n = a.name?.name;
      const x = this.consts.evaluate(a.value, this.diags);
      if ((n === 'rank' || (n === 'q' && out.kind === 'lmc')) && typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 64) out[n] = x;
      else this.error(`${out.kind} takes ${out.kind === 'lmc' ? 'q (the number of latent processes) and ' : ''}rank, whole numbers between 1 and 64`, a.span);
    }
    return out;
  }

  private mean(item: GpItem | undefined): GPMean | undefined {
    if (!item) return { kind: 'zero' };
    const v = item.value;
    const span = v.span;
    if (v.kind === 'number' && !Number.isFinite(v.value)) return this.error('the mean must be a finite number', span);
    if (v.kind === 'number') return { kind: 'constant', c: this.add(`${this.prefix}.mean_c`, [], [v.value], { positive: false, bounds: this.bounds(v.bounds, v.value, span), fixed: !!v.fixed, init: 'given', span }) };
    if (v.kind !== 'call' || !['zero', 'constant', 'linear'].includes(v.name.name)) return this.error('mean is zero, constant, constant(c = ...), linear or linear(w = [...], b = ...)', span, undefined, 'unknown-name');
    const arg = (name: string): KernelArg | undefined => v.args.find((a) => a.name?.name === name || (!a.name && name === (v.name.name === 'constant' ? 'c' : 'w')));
    for (const a of v.args) if (a.name && !['c', 'w', 'b'].includes(a.name.name)) this.error(`mean ${v.name.name} has no argument '${a.name.name}'`, a.span, undefined, 'unknown-argument');
    const num = (a: KernelArg | undefined, size: number): number[] | undefined => {
      if (!a) return undefined;
      const x = this.consts.evaluate(a.value, this.diags);
      const n = x === undefined ? undefined : asNumeric(x);
      const flat = n === undefined ? undefined : ((Array.isArray(n) ? (n as (number | number[])[]).flat() : [n]) as number[]);
      if (!flat || flat.length !== size || flat.some((v) => !Number.isFinite(v))) return this.error(`needs ${size} finite number(s)`, a.span);
      return flat;
    };
    const param = (name: string, a: KernelArg | undefined, size: number, shape: number[]): string => {
      const value = num(a, size);
      return this.add(`${this.prefix}.mean_${name}`, shape, value ?? new Array<number>(size).fill(0), { positive: false, bounds: a ? this.bounds(a.bounds, value, a.span) : undefined, fixed: !!a?.fixed, init: value ? 'given' : 'data', span: a?.span ?? span, ...(a?.prior ? { prior: a.prior } : {}) });
    };
    switch (v.name.name) {
      case 'zero':
        return { kind: 'zero' };
      case 'constant':
        return { kind: 'constant', c: param('c', arg('c'), 1, []) };
      default:
        return { kind: 'linear', w: param('w', arg('w'), this.D, [this.D]), b: param('b', arg('b'), 1, []) };
    }
  }

  private noise(item: GpItem | undefined, kernel: KernelExpr, T: number, span: Span): string | undefined {
    const shape = T > 1 ? [T] : [];
    const name = `${this.prefix}.noise`;
    if (!item) {
      // With a white() term the kernel carries the noise: keep the likelihood's at scikit-learn's alpha.
      if (hasWhite(kernel)) return this.add(name, shape, new Array<number>(Math.max(1, T)).fill(1e-10), { positive: true, bounds: NOISE_BOUNDS, fixed: true, init: 'given', span });
      return this.add(name, shape, new Array<number>(Math.max(1, T)).fill(0.1), { positive: true, bounds: NOISE_BOUNDS, init: 'data', span });
    }
    const v = item.value;
    if (v.kind !== 'number') return this.error('noise is a variance: a number, e.g. noise = 0.01 in [1e-6, 1] (add fixed to keep it)', v.span);
    if (!(v.value >= 0) || !Number.isFinite(v.value)) return this.error('noise must be a finite number >= 0', v.span);
    const b = this.bounds(v.bounds, v.value, v.span) ?? NOISE_BOUNDS;
    const value = Math.max(v.value, v.fixed ? 0 : b[0]);
    if (v.value === 0 && !v.fixed) return this.error('noise = 0 must be fixed (noise = 0 fixed): a zero variance cannot be optimized in log space', v.span);
    return this.add(name, shape, new Array<number>(Math.max(1, T)).fill(value), { positive: !v.fixed || value > 0, bounds: v.fixed && value === 0 ? [0, 1] : b, fixed: !!v.fixed, init: 'given', span: v.span, ...(v.prior ? { prior: v.prior } : {}) });
  }

  private normalize(item: GpItem | undefined, T: number, span: Span): { shift: string; scale: string } | undefined {
    if (!item) return undefined;
    const v = item.value;
    const flag = v.kind === 'call' && !v.hasParens && (v.name.name === 'true' || v.name.name === 'false') ? v.name.name === 'true' : v.kind === 'number' ? v.value !== 0 : undefined;
    if (flag === undefined) return this.error('normalize_y is true or false', v.span);
    if (!flag) return undefined;
    const sh = T > 1 ? [T] : [];
    return {
      shift: this.add(`${this.prefix}.y_shift`, sh, new Array<number>(T).fill(0), { positive: false, fixed: true, init: 'data', span }),
      scale: this.add(`${this.prefix}.y_scale`, sh, new Array<number>(T).fill(1), { positive: false, fixed: true, init: 'data', span }),
    };
  }

  private inference(item: GpItem | undefined, span: Span, T: number): GPInference | undefined {
    if (!item) return { kind: 'exact' };
    const v = item.value;
    if (v.kind === 'call' && v.name.name === 'exact' && v.args.length === 0) return { kind: 'exact' };
    if (v.kind === 'call' && v.name.name === 'vecchia') return this.vecchia(v, T);
    if (v.kind !== 'call' || v.name.name !== 'sparse') return this.error('inference is exact, sparse(m = M) or vecchia(m = M)', v.span, undefined, 'unknown-name');
    let m = 100;
    let learnInducing = true;
    for (const a of v.args) {
      const name = a.name?.name ?? 'm';
      if (name === 'learn_inducing') {
        // true / false (or 1 / 0): whether fits move the inducing inputs (default true, as GPflow and GPyTorch).
        const e = a.value;
        const flag = e.kind === 'name' && (e.name === 'true' || e.name === 'false') ? e.name === 'true' : e.kind === 'number' && (e.value === 0 || e.value === 1) ? e.value === 1 : undefined;
        if (flag === undefined) this.error('learn_inducing is true or false', a.value.span);
        else learnInducing = flag;
        continue;
      }
      const x = this.consts.evaluate(a.value, this.diags);
      if (name !== 'm') this.error(`sparse takes m (the number of inducing points) and learn_inducing (true or false), not '${a.name!.name}'`, a.span, undefined, 'unknown-argument');
      else if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > MAX_INDUCING) this.error(`m must be a whole number between 1 and ${MAX_INDUCING}`, a.span);
      else m = x;
    }
    if (T > 1) return this.error('sparse inference of multitask GPs is not supported yet: use exact inference', v.span, undefined, 'unsupported');
    const stride = this.D;
    const fixed = { positive: false, fixed: true, span };
    return {
      kind: 'sparse',
      m,
      learnInducing,
      inducing: this.add(`${this.prefix}.inducing`, [m, stride], new Array<number>(m * stride).fill(0), { ...fixed, init: 'data' }),
      qMean: this.add(`${this.prefix}.q_mean`, [m], new Array<number>(m).fill(0), { ...fixed, init: 'given' }),
      qSqrt: this.add(`${this.prefix}.q_sqrt`, [m, m], Array.from({ length: m * m }, (_, k) => (k % (m + 1) === 0 ? 1 : 0)), { ...fixed, init: 'given' }),
    };
  }

  /** vecchia(m = 30): m whole, 1..MAX_NEIGHBOURS; an m at or above the number of training points is clamped when fitting. */
  private vecchia(v: Extract<GpItem['value'], { kind: 'call' }>, T: number): GPInference | undefined {
    let m = 30;
    for (const a of v.args) {
      const name = a.name?.name ?? 'm';
      const x = this.consts.evaluate(a.value, this.diags);
      if (name !== 'm') this.error(`vecchia takes m (the number of neighbours each point conditions on), not '${a.name!.name}'`, a.span, undefined, 'unknown-argument');
      else if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > MAX_NEIGHBOURS) this.error(`m must be a whole number between 1 and ${MAX_NEIGHBOURS} (the neighbours each point conditions on; 30 is usually enough)`, a.span);
      else m = x;
    }
    if (T > 1) return this.error('vecchia inference of multitask GPs is not supported: use exact inference', v.span, undefined, 'unsupported');
    return { kind: 'vecchia', m };
  }
}

function hasWhite(k: KernelExpr): boolean {
  switch (k.op) {
    case 'base':
      return k.name === 'white';
    case 'scale':
      return hasWhite(k.kernel);
    default:
      return k.terms.some(hasWhite);
  }
}
