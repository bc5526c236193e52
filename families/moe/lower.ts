// Lowers `experts(x -> y) { k = 3; gate = softmax(ridge = 0.001); expert = linear(noise = diag) }`
// to a graph of one `family` node (family 'moe') with the gate's and the experts' parameters,
// initialized from the data by the fit. The form is the GP's conditional form (`gp(x -> y)`)
// with another head, so inputs, outputs and `name = value` items read the same; every bad item
// is a diagnostic on its span.
import { freeze } from 'immer';
import { asNumeric, ConstantScope } from '../../compiler/constants.js';
import type { CompiledProgram } from '../../compiler/program.js';
import { IR_VERSION, type IRGraph, type IRParam, type IRVariable } from '../../ir/types.js';
import type { Diagnostic, GpModelExpr, KernelArg, KernelAst, ModelExpr, Span } from '../../language/index.js';
import { suggestionHint } from '../../language/index.js';
import { lowerGp } from '../../compiler/lower-gp.js';
import type { GpItem } from '../../language/index.js';
import { expertPrefix } from './expert-gp.js';
import { MAX_DEPTH, treeShapes } from './check-tree.js';
import { LEAF_SHORTHANDS, leafAccepts, lowerLeafExpert, type LeafChoice } from './lower-leaf.js';
import { EXPERTS, GATES, MOE_NAME, NOISES, P, type ExpertKind, type GateKind, type NoiseKind } from './spec.js';

const ITEMS = ['k', 'gate', 'expert', 'kernel', 'mean', 'noise', 'inference'] as const;
/** The GP items an `expert = gp` mixture takes (each expert's kernel, mean and noise, as in gp(...)). */
const GP_ITEMS = ['kernel', 'mean', 'noise'];
export const DEFAULT_GP_STEPS = 5;
/** Largest number of experts (each a regression; the gate's Newton system grows as k^2). */
export const MAX_EXPERTS = 64;
export const DEFAULT_RIDGE = 1e-3;
/** Sparse GP experts: the most inducing inputs (each expert's step is O(n m^2) and factors m x m matrices). */
export const MAX_INDUCING = 2000;

export const claimsMoe = (body: ModelExpr): boolean => body.kind === 'gp' && body.head === 'experts';

export function lowerMoe(program: CompiledProgram, body: ModelExpr, vars: readonly IRVariable[]): { graph?: IRGraph; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  if (body.kind !== 'gp') return { diagnostics: diags };
  const expr: GpModelExpr = body;
  const err = (message: string, span: Span, hint?: string, code = 'bad-value'): undefined => {
    diags.push({ severity: 'error', code, message, span, file: program.file, ...(hint ? { hint } : {}) });
    return undefined;
  };
  const scope = new ConstantScope(program.file);
  for (const [k, v] of program.constants) scope.define(k, v);

  const index = (name: string, span: Span): number | undefined => {
    const i = vars.findIndex((v) => v.name === name);
    return i < 0 ? err(`'${name}' is not a variable of this model`, span) : i;
  };
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (const [list, role] of [[expr.inputs, inputs], [expr.outputs, outputs]] as const) {
    for (const v of list) {
      const i = index(v.name.name, v.name.span);
      if (i === undefined) continue;
      if (inputs.includes(i) || outputs.includes(i)) err(`'${v.name.name}' appears twice in experts(...)`, v.name.span);
      role.push(i);
    }
  }

  let K = 2;
  let gate: GateKind = 'softmax';
  let ridge = DEFAULT_RIDGE;
  let top: number | undefined;
  let branches: number | undefined;
  let branchesSpan: Span | undefined;
  let depth: number | undefined;
  let depthSpan: Span | undefined;
  let gateSpan: Span | undefined;
  let expertRidge = DEFAULT_RIDGE;
  let topSpan: Span | undefined;
  let noise: NoiseKind = 'diag';
  let expert: ExpertKind = 'linear';
  let expertSpan: Span | undefined;
  let gpSteps = DEFAULT_GP_STEPS;
  let leafChoice: LeafChoice | undefined;
  let inducing: number | undefined;
  let inferenceSpan: Span | undefined;
  const gpItems: GpItem[] = [];
  const seen = new Set<string>();

  /** A plain number argument or item (constants allowed). */
  const number = (e: KernelArg['value']): number | undefined => {
    const before = diags.length;
    const r = scope.evaluate(e, diags);
    const v = r === undefined ? undefined : asNumeric(r);
    if (typeof v !== 'number' || !Number.isFinite(v)) return diags.length === before ? err('expected a number', e.span) : undefined;
    return v;
  };
  const word = (a: KernelArg): string | undefined => (a.value.kind === 'name' ? a.value.name : a.value.kind === 'string' ? a.value.value : undefined);
  const call = (v: KernelAst, what: string, known: readonly string[]): { name: string; args: readonly KernelArg[] } | undefined => {
    if (v.kind !== 'call') return err(`${what} is a name, e.g. ${what} = ${known[0]}`, v.span);
    const name = v.name.name;
    if (!known.includes(name)) return err(`unknown ${what} '${name}' (${what}s: ${known.join(', ')})`, v.name.span, suggestionHint(name, known));
    for (const a of v.args) if (!a.name) err(`${name}(...) takes named arguments, e.g. ${name}(${what === 'gate' ? 'ridge = 0.01' : 'noise = diag'})`, a.span);
    return { name, args: v.args.filter((a) => a.name) };
  };
  const noExtras = (a: KernelArg): void => {
    if (a.bounds || a.fixed || a.prior) err(`'${a.name!.name}' takes a value only (no bounds, fixed or prior)`, a.span);
  };

  for (const item of expr.items) {
    const name = item.name.name;
    if (!(ITEMS as readonly string[]).includes(name)) {
      const gpItem = ['normalize_y', 'tasks'].includes(name);
      err(`experts(...) has no item '${name}' (items: ${ITEMS.join(', ')})`, item.name.span, gpItem ? 'GP experts are exact GPs of one output on the data\'s own scale' : suggestionHint(name, ITEMS), 'unknown-argument');
      continue;
    }
    if (seen.has(name)) err(`'${name}' is given twice`, item.name.span);
    seen.add(name);
    const v = item.value;
    if (GP_ITEMS.includes(name)) {
      gpItems.push(item);
      continue;
    }
    if (name === 'inference') {
      inferenceSpan = item.name.span;
      inducing = sparseInference(v, err, number);
      continue;
    }
    if (name === 'k') {
      if (v.kind !== 'number' || v.bounds || v.fixed || v.prior) {
        err('k is a whole number of experts, e.g. k = 3', v.span);
        continue;
      }
      if (!Number.isInteger(v.value) || v.value < 1 || v.value > MAX_EXPERTS) err(`k = ${v.value}: expected a whole number from 1 to ${MAX_EXPERTS}`, v.span);
      else K = v.value;
    } else if (name === 'gate') {
      const c = call(v, 'gate', GATES);
      if (!c) continue;
      gate = c.name as GateKind;
      gateSpan = v.span;
      for (const a of c.args) {
        const an = a.name!.name;
        noExtras(a);
        const allowed = gate === 'softmax' ? ['ridge', 'top'] : gate === 'tree' ? ['branches', 'ridge', 'depth'] : [];
        if (!allowed.includes(an)) {
          err(`the ${gate} gate has no argument '${an}'${allowed.length ? ` (it takes ${allowed.join(', ')})` : ' (it takes none: its experts\' input densities are full-covariance Gaussians)'}`, a.name!.span, suggestionHint(an, allowed), 'unknown-argument');
          continue;
        }
        const x = number(a.value);
        if (x === undefined) continue;
        if (an === 'ridge') {
          if (x < 0) err(`ridge = ${x}: expected a number >= 0`, a.value.span);
          else ridge = x;
        } else if (an === 'depth') {
          if (!Number.isInteger(x) || x < 1 || x > MAX_DEPTH) err(`depth = ${x}: expected a whole number from 1 to ${MAX_DEPTH} (the levels of gates)`, a.value.span);
          else {
            depth = x;
            depthSpan = a.value.span;
          }
        } else if (an === 'branches') {
          if (!Number.isInteger(x) || x < 1) err(`branches = ${x}: expected a whole number >= 1`, a.value.span);
          else {
            branches = x;
            branchesSpan = a.value.span;
          }
        } else if (!Number.isInteger(x) || x < 1) err(`top = ${x}: expected a whole number >= 1 (the experts evaluated per point)`, a.value.span);
        else {
          top = x;
          topSpan = a.value.span;
        }
      }
    } else if (v.kind === 'call' && (v.name.name === 'leaf' || v.name.name in LEAF_SHORTHANDS)) {
      // leaf experts: expert = leaf(Gamma, shape = const, rate = log), or a shorthand (lower-leaf.ts)
      expert = 'leaf';
      expertSpan = v.span;
      leafChoice = lowerLeafExpert(v.name.name, v.args, v.span, err);
    } else {
      const c = call(v, 'expert', [...EXPERTS.filter((e) => e !== 'leaf'), 'leaf', ...Object.keys(LEAF_SHORTHANDS)]);
      if (!c) continue;
      expert = c.name as ExpertKind;
      expertSpan = v.span;
      for (const a of c.args) {
        const an = a.name!.name;
        noExtras(a);
        if (expert === 'multinomial') {
          if (an !== 'ridge') {
            err(`a multinomial expert has no argument '${an}' (it takes ridge = R, the penalty on its slopes)`, a.name!.span, suggestionHint(an, ['ridge']), 'unknown-argument');
            continue;
          }
          const x = number(a.value);
          if (x !== undefined && !(x >= 0)) err(`ridge = ${x}: expected a number >= 0`, a.value.span);
          else if (x !== undefined) expertRidge = x;
          continue;
        }
        if (expert === 'poisson' || expert === 'bernoulli') {
          err(`a ${expert} expert takes no arguments (its link is ${expert === 'poisson' ? 'log' : 'logit'}, linear in the inputs)`, a.name!.span, undefined, 'unknown-argument');
          continue;
        }
        if (expert === 'gp') {
          if (an !== 'steps') {
            err(`a GP expert has no argument '${an}' (it takes steps = N, the L-BFGS steps per M-step; its kernel, mean and noise are items: kernel = ...)`, a.name!.span, suggestionHint(an, ['steps']), 'unknown-argument');
            continue;
          }
          const x = number(a.value);
          if (x !== undefined && (!Number.isInteger(x) || x < 1 || x > 1000)) err(`steps = ${x}: expected a whole number from 1 to 1000`, a.value.span);
          else if (x !== undefined) gpSteps = x;
          continue;
        }
        if (an !== 'noise') {
          err(`a linear expert has no argument '${an}' (it takes noise = diag | full)`, a.name!.span, suggestionHint(an, ['noise']), 'unknown-argument');
          continue;
        }
        const w = word(a);
        if (w === undefined || !(NOISES as readonly string[]).includes(w)) err(`noise = ${w ?? '...'}: expected diag or full`, a.value.span, w ? suggestionHint(w, NOISES) : undefined);
        else noise = w as NoiseKind;
      }
    }
  }
  if (top !== undefined && top > K) err(`top = ${top}: at most k = ${K} experts`, topSpan!);
  if (gate === 'tree' && branches === undefined && depth !== 1) err('a tree gate needs its branches: tree(branches = 2) (k / branches experts under each)', gateSpan ?? expr.span);
  if (gate === 'tree' && branches !== undefined && (depth ?? 2) === 2 && K % branches !== 0) err(`branches = ${branches} does not divide k = ${K}: each branch holds k / branches experts`, branchesSpan!);
  if (gate === 'tree' && branches !== undefined && (depth ?? 2) > 2 && K % branches ** (depth! - 1) !== 0) err(`k = ${K} experts do not fill a tree of depth ${depth} with ${branches} branches per node: k must be a multiple of ${branches}^${depth! - 1} = ${branches ** (depth! - 1)} (e.g. k = ${branches ** depth!})`, depthSpan!);
  // column types: inputs real or int; outputs as the experts read them
  const glm = expert === 'poisson' || expert === 'bernoulli' || expert === 'multinomial' || expert === 'leaf';
  for (const [list, role] of [[expr.inputs, 'input'], [expr.outputs, 'output']] as const) {
    for (const v of list) {
      const i = vars.findIndex((x) => x.name === v.name.name);
      const t = i < 0 ? undefined : vars[i]!.type.kind;
      if (role === 'output' && expert === 'multinomial') {
        if (t !== undefined && t !== 'categorical') err(`'${v.name.name}' is ${t}: multinomial experts take a categorical output (e.g. ${v.name.name}: categorical("a", "b", "c"))`, v.span, undefined, 'type-mismatch');
        else if (t === 'categorical' && (vars[i]!.type as { levels: readonly string[] }).levels.length < 2) err(`'${v.name.name}' has one level: multinomial experts need at least 2`, v.span);
        continue;
      }
      if (t === undefined || t === 'real' || t === 'int' || (role === 'output' && t === 'bool' && (expert === 'bernoulli' || (leafChoice !== undefined && leafAccepts(leafChoice.leaf, vars[i]!.type))))) continue;
      const takes = role === 'input' ? 'real or int inputs' : expert === 'bernoulli' ? 'a bool, int or real output (0 / 1)' : expert === 'poisson' ? 'an int or real output (counts)' : 'real or int outputs';
      err(`'${v.name.name}' is ${t}: ${expert === 'linear' || role === 'input' ? 'experts(...)' : `${expert} experts`} take${role === 'input' ? '' : ''} ${takes}`, v.span, undefined, 'type-mismatch');
    }
  }
  if (glm && outputs.length !== 1) err(`${expert} experts model one output; this model has ${outputs.length} (${expr.outputs.map((o) => o.name.name).join(', ')})`, expertSpan ?? expr.span);
  if (expert !== 'gp' && inferenceSpan) err('\'inference\' is an item of GP experts: write expert = gp to use it', inferenceSpan);
  if (expert !== 'gp') for (const it of gpItems) err(`'${it.name.name}' is an item of GP experts: write expert = gp to use it (a linear expert's noise goes in expert = linear(noise = diag | full))`, it.name.span);
  if (expert === 'gp' && outputs.length !== 1) err(`GP experts model one output; this model has ${outputs.length} (${expr.outputs.map((o) => o.name.name).join(', ')})`, expertSpan ?? expr.span);
  if (diags.some((d) => d.severity === 'error')) return { diagnostics: diags };
  // GP experts: the GP family's lowering of the kernel, mean and noise items gives the template
  let gpNode: string | undefined;
  let gpParams: Record<string, IRParam> = {};
  if (expert === 'gp') {
    const lowered = lowerGp(program, { kind: 'gp', inputs: expr.inputs, outputs: expr.outputs, items: gpItems, span: expr.span }, vars);
    diags.push(...lowered.diagnostics);
    if (!lowered.graph) return { diagnostics: diags };
    const node = lowered.graph.nodes[0]!;
    if (JSON.stringify(node).includes('"name":"white"')) return { diagnostics: [...diags, { severity: 'error', code: 'bad-value', message: 'a GP expert\'s kernel takes no white(...) term: its noise is the `noise` item, which the responsibilities weigh', span: gpItems.find((i) => i.name.name === 'kernel')?.span ?? expr.span, file: program.file }] };
    gpNode = JSON.stringify(node);
    gpParams = lowered.graph.params as Record<string, IRParam>;
  }

  const D = inputs.length;
  const Pn = outputs.length;
  const params: Record<string, IRParam> = {};
  const add = (name: string, shape: number[], value: number[], param: IRParam['param']): void => {
    params[name] = { name, shape, param, value, fixed: false, init: 'data', source: { line: expr.span.startLine, column: expr.span.startColumn } };
  };
  const eye = (n: number): number[] => Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  if (gate === 'softmax') add(P.gateW, [K, D + 1], new Array(K * (D + 1)).fill(0), { kind: 'identity' });
  else if (gate === 'tree') for (const [name, shape] of Object.entries(treeShapes(K, branches ?? K, depth ?? 2, D))) add(name, shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(0), { kind: 'identity' }); else {
    add(P.gatePi, [K], new Array(K).fill(1 / K), { kind: 'simplex' });
    add(P.gateMean, [K, D], new Array(K * D).fill(0), { kind: 'identity' });
    add(P.gateCov, [K, D, D], Array.from({ length: K }, () => eye(D)).flat(), { kind: 'spd' });
  }
  if (expert === 'multinomial') {
    const t = vars[outputs[0]!]!.type;
    const L = t.kind === 'categorical' ? t.levels.length : 0;
    if (L < 2) return { diagnostics: [...diags, { severity: 'error', code: 'type-mismatch', message: 'multinomial experts take a categorical output with at least 2 levels', span: expr.span, file: program.file }] };
    add(P.coef, [K, L - 1, D + 1], new Array(K * (L - 1) * (D + 1)).fill(0), { kind: 'identity' });
  } else if (expert === 'leaf') {
    const R = leafChoice!.links.length;
    add(P.coef, [K, R, D + 1], new Array(K * R * (D + 1)).fill(0), { kind: 'identity' });
  } else if (glm) add(P.coef, [K, 1, D + 1], new Array(K * (D + 1)).fill(0), { kind: 'identity' });
  else if (expert === 'linear') {
    add(P.coef, [K, Pn, D + 1], new Array(K * Pn * (D + 1)).fill(0), { kind: 'identity' });
    if (noise === 'diag') add(P.noise, [K, Pn], new Array(K * Pn).fill(1), { kind: 'positive' });
    else add(P.noise, [K, Pn, Pn], Array.from({ length: K }, () => eye(Pn)).flat(), { kind: 'spd' });
  } else for (let k = 0; k < K; k++) for (const [name, p] of Object.entries(gpParams)) params[expertPrefix(k) + name] = { ...p, name: expertPrefix(k) + name };

  const options = { k: K, gate, ...(gate === 'softmax' ? { ridge, top: top ?? K } : gate === 'tree' ? { ridge, branches: branches ?? K, ...(depth !== undefined ? { depth } : {}) } : {}), expert, noise, inputs, outputs, ...(gpNode ? { gp: gpNode, gp_steps: gpSteps, ...(inducing !== undefined ? { gp_inducing: inducing } : {}) } : {}), ...(expert === 'multinomial' ? { expert_ridge: expertRidge } : {}), ...(leafChoice ? { leaf: leafChoice.leaf, links: leafChoice.links.join(',') } : {}) };
  const graph: IRGraph = {
    version: IR_VERSION,
    family: MOE_NAME,
    vars: vars.map((v) => ({ name: v.name, type: v.type })),
    params,
    nodes: [{ id: 'n0', kind: 'family', family: MOE_NAME, scope: vars.map((_, i) => i), units: 1, params: Object.fromEntries(Object.keys(params).map((k) => [k, k])), options, source: { line: expr.span.startLine, column: expr.span.startColumn } }],
    root: 'n0',
  };
  return { graph: freeze(graph, true), diagnostics: diags };
}

/** `inference = exact` or `sparse(m = 64)` of GP experts: the inducing inputs' count, or undefined (exact). */
function sparseInference(v: KernelAst, err: (message: string, span: Span, hint?: string, code?: string) => undefined, number: (e: KernelArg['value']) => number | undefined): number | undefined {
  const usage = 'inference is exact or sparse(m = 64) (m inducing inputs shared by the experts)';
  if (v.kind !== 'call' || !['exact', 'sparse'].includes(v.name.name)) return err(usage, v.span, v.kind === 'call' ? suggestionHint(v.name.name, ['exact', 'sparse']) : undefined);
  if (v.name.name === 'exact') {
    if (v.args.length) err('exact takes no arguments', v.args[0]!.span, undefined, 'unknown-argument');
    return undefined;
  }
  let m = 64;
  for (const a of v.args) {
    if (a.name?.name !== 'm') {
      err('sparse(...) takes m = M, the number of inducing inputs (k-means centres of the training inputs, fixed)', a.span, undefined, 'unknown-argument');
      continue;
    }
    const x = number(a.value);
    if (x !== undefined && (!Number.isInteger(x) || x < 1 || x > MAX_INDUCING)) err(`m = ${x}: expected a whole number from 1 to ${MAX_INDUCING}`, a.value.span);
    else if (x !== undefined) m = x;
  }
  return m;
}
