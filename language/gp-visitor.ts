// CST -> AST for the `gp(...) { ... }` model form (the grammar rules gp, gpVar, gpItem,
// kernelExpr, kernelTerm, kernelFactor, kernelArgs, kernelArg). Called by visitor.ts with
// its span and expression builders.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Expr, Ident, Span } from './ast.js';
import type { GpItem, GpModelExpr, GpVar, KernelArg, KernelAst, PriorAst } from './gp-ast.js';
import { joinSpans } from './span.js';

export interface GpBuildTools {
  ident(tok: IToken): Ident;
  tokSpan(tok: IToken): Span;
  nodeSpan(n: CstNode): Span;
  expr(n: CstNode): Expr;
}

const isNode = (el: CstElement): el is CstNode => 'children' in el;
const nodes = (n: CstNode, key: string): CstNode[] => (n.children[key] ?? []).filter(isNode);
const tokens = (n: CstNode, key: string): IToken[] => (n.children[key] ?? []).filter((el): el is IToken => !isNode(el));

function one<T>(xs: T[], what: string): T {
  const x = xs[0];
  if (x === undefined) throw new Error(`gp: no ${what}`);
  return x;
}

export function buildGp(n: CstNode, t: GpBuildTools): GpModelExpr {
  const v = (c: CstNode): GpVar => {
    const type = tokens(c, 'type')[0];
    return {
      name: t.ident(one(tokens(c, 'name'), 'name')),
      ...(type ? { type: { kind: type.image === 'int' ? 'int' : 'real', span: t.tokSpan(type) } } : {}),
      span: t.nodeSpan(c),
    };
  };
  const items: GpItem[] = nodes(n, 'gpItem').map((c) => ({
    name: t.ident(one(tokens(c, 'name'), 'name')),
    value: kernel(one(nodes(c, 'kernelExpr'), 'kernelExpr'), t),
    span: t.nodeSpan(c),
  }));
  const experts = tokens(n, 'head')[0]?.image === 'experts';
  return { kind: 'gp', ...(experts ? { head: 'experts' as const } : {}), inputs: nodes(n, 'input').map(v), outputs: nodes(n, 'output').map(v), items, span: t.nodeSpan(n) };
}

function bounds(n: CstNode, t: GpBuildTools): KernelArg['bounds'] {
  const lower = nodes(n, 'lower')[0];
  const upper = nodes(n, 'upper')[0];
  const inTok = tokens(n, 'In')[0];
  const close = tokens(n, 'RBracket')[0];
  if (!lower || !upper || !inTok || !close) return undefined;
  return { lower: t.expr(lower), upper: t.expr(upper), span: joinSpans(t.tokSpan(inTok), t.tokSpan(close)) };
}

function prior(n: CstNode, t: GpBuildTools): PriorAst | undefined {
  const p = nodes(n, 'priorSpec')[0];
  if (!p) return undefined;
  return { dist: t.ident(one(tokens(p, 'dist'), 'prior distribution')), args: nodes(p, 'arg').map((a) => t.expr(a)), span: t.nodeSpan(p) };
}

function kernel(n: CstNode, t: GpBuildTools): KernelAst {
  const operands = nodes(n, 'operand');
  if (n.name === 'kernelExpr' || n.name === 'kernelTerm') {
    const terms = operands.map((o) => kernel(o, t));
    if (terms.length === 1) return terms[0]!;
    return { kind: n.name === 'kernelExpr' ? 'sum' : 'product', terms, span: t.nodeSpan(n) };
  }
  // kernelFactor
  const span = t.nodeSpan(n);
  const num = tokens(n, 'number')[0];
  if (num) {
    const b = bounds(n, t);
    const fixed = tokens(n, 'Fixed')[0];
    const pr = prior(n, t);
    return { kind: 'number', value: Number(num.image), ...(b ? { bounds: b } : {}), ...(fixed ? { fixed: t.tokSpan(fixed) } : {}), ...(pr ? { prior: pr } : {}), span };
  }
  const inner = nodes(n, 'inner')[0];
  if (inner) return { ...kernel(inner, t), span };
  const name = one(tokens(n, 'name'), 'kernel name');
  const parens = nodes(n, 'kernelArgs')[0];
  const args: KernelArg[] = parens
    ? nodes(parens, 'kernelArg').map((a) => {
        const nm = tokens(a, 'name')[0];
        const b = bounds(a, t);
        const fixed = tokens(a, 'Fixed')[0];
        const pr = prior(a, t);
        return {
          ...(pr ? { prior: pr } : {}),
          ...(nm ? { name: t.ident(nm) } : {}),
          value: t.expr(one(nodes(a, 'value'), 'value')),
          ...(b ? { bounds: b } : {}),
          ...(fixed ? { fixed: t.tokSpan(fixed) } : {}),
          span: t.nodeSpan(a),
        };
      })
    : [];
  return { kind: 'call', name: t.ident(name), args, hasParens: parens !== undefined, span };
}
