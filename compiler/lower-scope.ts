// The shared state of a model body's lowering (lower.ts, lower-leaf.ts): diagnostics, nodes and
// parameters so far, the model stack, the square/integral context, the parameter budget, and the
// host an integral's lowering (lower-integral.ts) works through; the contracts of families that
// lower their own components.
import type { Arg, ModelExpr, Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { ConstantScope, type Value } from './constants.js';
import { MAX_PARAMETER_VALUES } from './cost.js';
import { type FamilyNode, type IRNode, type IRParam, type IRVariable } from '../ir/types.js';
import type { CompiledProgram } from './program.js';
import { big } from './lower-helpers.js';
import { type IntegralHost, type LatentContext } from './lower-integral.js';

export interface LowerOptions {
  /** The fit's rows over `vars` (rows x vars.length), for structures learned from data (chow_liu). */
  readonly data?: { readonly x: Float64Array; readonly n: number };
  /**
   * The family that owns a model expression it lowers itself (kde(...), chow_liu(...)), from the
   * family registry: such a model stands alone, and a use inside a mixture, product or circuit
   * is told so instead of "unknown distribution".
   */
  readonly ownerOf?: (body: ModelExpr) => { readonly name: string; readonly noun: string; readonly lowering?: { readonly lowerComponent?: ComponentLowering } } | undefined;
}

/** What a family's component lowering gets: the leaf expression, the scope it covers, the copies, the fit's rows over that scope. */
export interface ComponentRequest {
  readonly program: CompiledProgram;
  readonly expr: Extract<ModelExpr, { kind: 'leaf' }>;
  /** The node's id; its parameters are named `${id}.role`. */
  readonly id: string;
  readonly scope: readonly number[];
  /** The variables of `scope`, in order. */
  readonly vars: readonly IRVariable[];
  /** Copies (a mixture's k components of one body). */
  readonly units: number;
  /** The fit's rows over `scope` (rows x scope.length); absent outside a fit (pmix check, cost). */
  readonly data?: { readonly x: Float64Array; readonly n: number };
}

/**
 * A family whose model can also be a part of a mixture or a product (a KDE component): its
 * expression becomes one `family` node (evaluated, initialized and refitted by the family's
 * runtime hooks, runtime/family-nodes.ts) with its parameters.
 */
export type ComponentLowering = (req: ComponentRequest) => { node?: FamilyNode; params?: readonly IRParam[]; diagnostics: Diagnostic[] };

/** Diagnostics, nodes, parameters and context of one model body's lowering. */
export abstract class LoweringScope {
  readonly diags: Diagnostic[] = [];
  readonly nodes: IRNode[] = [];
  readonly params: Record<string, IRParam> = {};
  readonly stack: string[] = [];
  /** The model body being lowered (square(...) is allowed there only). */
  rootExpr?: ModelExpr;
  /** Inside square(...): sum and mixture weights are real (signed). */
  protected signed = false;
  /** Inside an integral's body: leaves' parameters are functions of its latent. */
  protected latent?: LatentContext;
  protected latentPrefixes = 0;
  protected readonly consts: ConstantScope;
  /** Parameter values allocated so far (refused past MAX_PARAMETER_VALUES, before allocating). */
  protected paramValues = 0;
  /**
   * Named models already lowered, by name, variables (in order), units and context: a model
   * used again over the same variables is the same node (the graph is a DAG), so its
   * parameters exist, count and are fitted once.
   */
  protected readonly shared = new Map<string, string>();

  constructor(
    protected readonly program: CompiledProgram,
    protected readonly vars: readonly IRVariable[],
    protected readonly data?: { readonly x: Float64Array; readonly n: number },
    protected readonly ownerOf?: LowerOptions['ownerOf'],
  ) {
    this.consts = new ConstantScope(program.file);
    for (const [k, v] of program.constants) this.consts.define(k, v);
  }

  protected error(code: string, message: string, span: Span, hint?: string): undefined {
    this.diags.push({ severity: 'error', code, message, span, file: this.program.file, hint });
    return undefined;
  }

  /** Reserves n parameter values; false (with a diagnostic on span) when the model grows too big. */
  protected reserve(n: number, span: Span, what: string): boolean {
    if (this.paramValues + n <= MAX_PARAMETER_VALUES) {
      this.paramValues += n;
      return true;
    }
    const total = this.paramValues + n;
    this.error('too-big', `${what} needs ${big(total)} parameter values in all; pmix refuses models with more than ${big(MAX_PARAMETER_VALUES)}`, span, 'lower k (the number of components) or model fewer variables jointly');
    return false;
  }

  protected nextId(): string {
    return `n${this.nodes.length}`;
  }

  protected value(a: Arg): Value | undefined {
    if (!a.value) return undefined;
    return this.consts.evaluate(a.value, this.diags);
  }

  protected integralHost(): IntegralHost {
    return {
      vars: this.vars,
      error: (code, message, span, hint) => this.error(code, message, span, hint),
      value: (a) => this.value(a),
      evaluate: (e) => this.consts.evaluate(e, this.diags),
      reserve: (n, span, what) => this.reserve(n, span, what),
      nextId: () => this.nextId(),
      addNode: (node) => void this.nodes.push(node),
      addParam: (p) => void (this.params[p.name] = p),
      param: (name) => this.params[name],
      node: (id) => this.nodes.find((n) => n.id === id),
      lowerLeaf: (leaf, sc, u) => this.lowerLeaf(leaf, sc, u, true),
      lowerWithin: (ctx, body, sc) => {
        if (body.kind === 'integral') return this.error('unsupported', `an integral's body cannot hold another integral; for hierarchical integral circuits write circuit { region ...  integral ... }`, body.span);
        if (body.kind !== 'leaf' && body.kind !== 'product') return this.error('unsupported', `the body of an integral is a distribution or a product { ... } of them, whose parameters read the latent`, body.span);
        const outer = this.latent;
        this.latent = ctx;
        try {
          return this.lower(body, sc, 1);
        } finally {
          this.latent = outer;
        }
      },
    };
  }

  /** Lowers expr over the variables `scope` (indices) replicated `units` times; returns the node id. */
  abstract lower(expr: ModelExpr, scope: readonly number[], units: number): string | undefined;
  protected abstract lowerLeaf(expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number, plain?: boolean): string | undefined;
}
