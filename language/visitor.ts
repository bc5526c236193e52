// CST -> AST. Only trees that parsed without errors reach here, so a missing child is an
// internal error (thrown as CstShapeError and turned into a diagnostic by parse.ts).
// The one check done here is the shape of a query, which the grammar leaves open.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type {
  Arg, Assignment, CircuitEntry, ColumnDecl, ColumnTypeAst, DataDecl, Expr, FitDecl, Ident, LetDecl, ModelDecl,
  ModelExpr, ProductPart, QueryAst, QueryDecl, Span, Statement,
} from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import { joinSpans, type LineIndex } from './span.js';
import { buildGp } from './gp-visitor.js';
import { buildQuery, type QueryItem } from './queries.js';

export class CstShapeError extends Error {}

function isNode(el: CstElement): el is CstNode {
  return 'children' in el;
}

function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter(isNode);
}

function tokens(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []).filter((el): el is IToken => !isNode(el));
}

function node(parent: CstNode, key: string): CstNode {
  const found = nodes(parent, key)[0];
  if (!found) throw new CstShapeError(`${parent.name}: no ${key}`);
  return found;
}

function token(parent: CstNode, key: string): IToken {
  const found = tokens(parent, key)[0];
  if (!found) throw new CstShapeError(`${parent.name}: no ${key}`);
  return found;
}

/** The single child node of a rule that is one choice among alternatives. */
function onlyChild(parent: CstNode): CstNode {
  for (const list of Object.values(parent.children)) {
    const found = list.find(isNode);
    if (found) return found;
  }
  throw new CstShapeError(`${parent.name}: empty`);
}

/** Unescapes a lexed string literal, quotes included. */
export function stringValue(image: string): string {
  return image.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly lines: LineIndex,
    private readonly file: string,
  ) {}

  private tokSpan(tok: IToken): Span {
    return this.lines.span(tok.startOffset, tok.startOffset + tok.image.length);
  }

  private nodeSpan(n: CstNode): Span {
    const loc = n.location;
    if (!loc || !Number.isFinite(loc.startOffset) || loc.endOffset === undefined || !Number.isFinite(loc.endOffset)) {
      throw new CstShapeError(`${n.name}: no location`);
    }
    return this.lines.span(loc.startOffset, loc.endOffset + 1);
  }

  private ident(tok: IToken): Ident {
    return { name: tok.image, span: this.tokSpan(tok) };
  }

  statement(n: CstNode): Statement | undefined {
    const decl = onlyChild(n);
    switch (decl.name) {
      case 'dataDecl':
        return this.dataDecl(decl);
      case 'modelDecl':
        return this.modelDecl(decl);
      case 'letDecl':
        return this.letDecl(decl);
      case 'fitDecl':
        return this.fitDecl(decl);
      case 'queryDecl':
        return this.queryDecl(decl);
      default:
        throw new CstShapeError(`unknown statement ${decl.name}`);
    }
  }

  // ---- data -----------------------------------------------------------------------------

  private dataDecl(n: CstNode): DataDecl {
    const path = token(n, 'path');
    return {
      kind: 'data',
      name: this.ident(token(n, 'name')),
      path: { value: stringValue(path.image), span: this.tokSpan(path) },
      columns: nodes(n, 'column').map((c) => this.column(c)),
      span: this.nodeSpan(n),
    };
  }

  private column(n: CstNode): ColumnDecl {
    return { name: this.ident(token(n, 'name')), type: this.columnType(node(n, 'columnType')), span: this.nodeSpan(n) };
  }

  private columnType(n: CstNode): ColumnTypeAst {
    const span = this.nodeSpan(n);
    const type = token(n, 'type').image;
    switch (type) {
      case 'real':
      case 'int':
      case 'bool':
        return { kind: type, span };
      case 'categorical': {
        if (tokens(n, 'LParen').length === 0) return { kind: 'categorical', span };
        const levels = tokens(n, 'level').map((t) => ({ value: stringValue(t.image), span: this.tokSpan(t) }));
        return { kind: 'categorical', levels, span };
      }
      default:
        throw new CstShapeError(`unknown column type ${type}`);
    }
  }

  // ---- models -----------------------------------------------------------------------------

  private modelDecl(n: CstNode): ModelDecl {
    const vars = tokens(n, 'LParen').length > 0 ? tokens(n, 'var').map((t) => this.ident(t)) : undefined;
    return {
      kind: 'model',
      name: this.ident(token(n, 'name')),
      ...(vars ? { vars } : {}),
      body: this.modelExpr(node(n, 'modelExpr')),
      span: this.nodeSpan(n),
    };
  }

  private modelExpr(n: CstNode): ModelExpr {
    const times = nodes(n, 'timesSquared')[0];
    if (!times) return this.modelPrimary(onlyChild(n));
    // c_plus * square(c): the left operand is the first child that is not the right one
    const left = Object.entries(n.children)
      .filter(([k]) => k !== 'timesSquared')
      .flatMap(([, l]) => l)
      .find(isNode)!;
    const monotone = this.modelPrimary(left);
    const sq = this.modelPrimary(times);
    const span = this.nodeSpan(n);
    return { kind: 'square', op: 'times', parts: [sq], monotone, span };
  }

  private modelPrimary(inner: CstNode): ModelExpr {
    const span = this.nodeSpan(inner);
    switch (inner.name) {
      case 'leaf': {
        const parens = nodes(inner, 'argParens')[0];
        return {
          kind: 'leaf',
          name: this.ident(token(inner, 'name')),
          args: parens ? this.args(parens) : [],
          hasParens: parens !== undefined,
          span,
        };
      }
      case 'mixture': {
        const parens = nodes(inner, 'argParens')[0];
        const args = parens ? this.args(parens) : [];
        if (tokens(inner, 'Of').length > 0) {
          return { kind: 'mixtureOf', args, component: this.modelExpr(node(inner, 'component')), span };
        }
        return { kind: 'mixtureList', args, components: nodes(inner, 'components').map((c) => this.modelExpr(c)), span };
      }
      case 'product':
        return { kind: 'product', parts: nodes(inner, 'part').map((p) => this.part(p)), span };
      case 'circuit':
        return { kind: 'circuit', entries: nodes(inner, 'circuitEntry').map((e) => this.circuitEntry(e)), span };
      case 'squared':
        return { kind: 'square', op: token(inner, 'op').image === 'sos' ? 'sos' : 'square', parts: nodes(inner, 'parts').map((c) => this.modelExpr(c)), span };
      case 'integral':
        return this.integral(inner, span);
      case 'gp':
        return buildGp(inner, { ident: (t) => this.ident(t), tokSpan: (t) => this.tokSpan(t), nodeSpan: (c) => this.nodeSpan(c), expr: (c) => this.expr(c) });
      default:
        throw new CstShapeError(`unknown model ${inner.name}`);
    }
  }

  private integral(n: CstNode, span: Span): ModelExpr {
    const d = node(n, 'integralDomain');
    const bound = nodes(d, 'lower')[0];
    const domain = bound
      ? { kind: 'interval' as const, lower: this.expr(bound), upper: this.expr(node(d, 'upper')), span: this.nodeSpan(d) }
      : { kind: 'named' as const, name: this.ident(token(d, 'name')) };
    const ruleName = tokens(n, 'rule')[0];
    const parens = nodes(n, 'argParens')[0];
    const rule = ruleName
      ? {
          name: this.ident(ruleName),
          args: parens ? this.args(parens) : [],
          span: parens ? joinSpans(this.tokSpan(ruleName), this.nodeSpan(parens)) : this.tokSpan(ruleName),
        }
      : undefined;
    return {
      kind: 'integral',
      latent: this.ident(token(n, 'latent')),
      domain,
      ...(rule ? { rule } : {}),
      body: this.modelExpr(node(n, 'body')),
      span,
    };
  }

  private part(n: CstNode): ProductPart {
    return {
      scope: tokens(n, 'var').map((t) => this.ident(t)),
      model: this.modelExpr(node(n, 'modelExpr')),
      span: this.nodeSpan(n),
    };
  }

  private circuitEntry(n: CstNode): CircuitEntry {
    const parens = nodes(n, 'argParens')[0];
    const name = tokens(n, 'name')[0];
    return {
      key: this.ident(token(n, 'key')),
      ...(name ? { name: this.ident(name) } : {}),
      args: parens ? this.args(parens) : [],
      hasParens: parens !== undefined,
      span: this.nodeSpan(n),
    };
  }

  private args(parens: CstNode): Arg[] {
    return nodes(parens, 'arg').map((a) => this.arg(a));
  }

  private arg(n: CstNode): Arg {
    const value = nodes(n, 'value')[0];
    const lower = nodes(n, 'lower')[0];
    const upper = nodes(n, 'upper')[0];
    const inTok = tokens(n, 'In')[0];
    const close = tokens(n, 'RBracket')[0];
    const fixed = tokens(n, 'Fixed')[0];
    return {
      name: this.ident(token(n, 'name')),
      ...(value ? { value: this.expr(value) } : {}),
      ...(lower && upper && inTok && close
        ? { bounds: { lower: this.expr(lower), upper: this.expr(upper), span: joinSpans(this.tokSpan(inTok), this.tokSpan(close)) } }
        : {}),
      ...(fixed ? { fixed: this.tokSpan(fixed) } : {}),
      span: this.nodeSpan(n),
    };
  }

  // ---- let, fit, query ----------------------------------------------------------------------

  private letDecl(n: CstNode): LetDecl {
    return { kind: 'let', name: this.ident(token(n, 'name')), value: this.expr(node(n, 'expr')), span: this.nodeSpan(n) };
  }

  private fitDecl(n: CstNode): FitDecl {
    const weights = tokens(n, 'weights')[0];
    const parens = nodes(n, 'argParens')[0];
    const method = tokens(n, 'method')[0];
    return {
      kind: 'fit',
      model: this.ident(token(n, 'model')),
      data: this.ident(token(n, 'data')),
      ...(weights ? { weights: this.ident(weights) } : {}),
      // no 'by': the default method, em; its messages point at the whole statement
      method: method ? this.ident(method) : { name: 'em', span: this.nodeSpan(n) },
      ...(method ? {} : { byDefault: true }),
      args: parens ? this.args(parens) : [],
      span: this.nodeSpan(n),
    };
  }

  private queryDecl(n: CstNode): QueryDecl | undefined {
    const query = this.queryExpr(node(n, 'queryExpr'));
    if (!query) return undefined;
    return { kind: 'query', model: this.ident(token(n, 'model')), query, span: this.nodeSpan(n) };
  }

  /** The query, or undefined after adding a diagnostic when its shape does not fit its form. */
  queryExpr(n: CstNode): QueryAst | undefined {
    const items: QueryItem[] = nodes(n, 'target').map((item) => {
      const inner = onlyChild(item);
      if (inner.name === 'interval') {
        const interval = { name: this.ident(token(inner, 'name')), lower: this.expr(node(inner, 'lower')), upper: this.expr(node(inner, 'upper')), span: this.nodeSpan(inner) };
        return { kind: 'interval', interval };
      }
      return inner.name === 'assignment'
        ? { kind: 'assignment', assignment: this.assignment(inner) }
        : { kind: 'expr', expr: this.expr(inner) };
    });
    const bar = tokens(n, 'Bar')[0];
    const result = buildQuery({
      form: this.ident(token(n, 'form')),
      items,
      given: nodes(n, 'given').map((g) => this.assignment(g)),
      bar: bar ? this.tokSpan(bar) : undefined,
      span: this.nodeSpan(n),
      file: this.file,
    });
    if ('diagnostic' in result) {
      this.diagnostics.push(result.diagnostic);
      return undefined;
    }
    return result.query;
  }

  private assignment(n: CstNode): Assignment {
    return { name: this.ident(token(n, 'name')), value: this.expr(node(n, 'expr')), span: this.nodeSpan(n) };
  }

  // ---- expressions ------------------------------------------------------------------------

  /** expr and term: a left-associative chain of operands and operators. */
  private expr(n: CstNode): Expr {
    const operands = nodes(n, 'operand');
    const ops = tokens(n, 'op');
    const sub = (o: CstNode): Expr => (n.name === 'expr' ? this.expr(o) : this.unary(o));
    if (operands.length === 0) throw new CstShapeError(`${n.name}: no operand`);
    let left = sub(operands[0]!);
    for (let i = 0; i < ops.length; i++) {
      const operand = operands[i + 1];
      if (!operand) throw new CstShapeError(`${n.name}: no operand after ${ops[i]!.image}`);
      const right = sub(operand);
      const op = ops[i]!.image;
      if (op !== '+' && op !== '-' && op !== '*' && op !== '/') throw new CstShapeError(`bad operator ${op}`);
      left = { kind: 'binary', op, left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private unary(n: CstNode): Expr {
    const op = tokens(n, 'op')[0];
    if (!op) return this.power(node(n, 'power'));
    const operand = this.unary(node(n, 'operand'));
    const sign = op.image === '-' ? '-' : '+';
    return { kind: 'unary', op: sign, operand, span: joinSpans(this.tokSpan(op), operand.span) };
  }

  private power(n: CstNode): Expr {
    const base = this.primary(node(n, 'base'));
    const exponent = nodes(n, 'exponent')[0];
    if (!exponent) return base;
    const right = this.unary(exponent);
    return { kind: 'binary', op: '^', left: base, right, span: joinSpans(base.span, right.span) };
  }

  private primary(n: CstNode): Expr {
    const span = this.nodeSpan(n);
    const num = tokens(n, 'Number')[0];
    if (num) return { kind: 'number', value: Number(num.image), span };
    const str = tokens(n, 'String')[0];
    if (str) return { kind: 'string', value: stringValue(str.image), span };
    const name = tokens(n, 'name')[0];
    if (name) {
      if (tokens(n, 'call').length === 0) return { kind: 'name', name: name.image, span };
      return this.call(this.ident(name), node(n, 'args'), span);
    }
    if (tokens(n, 'group').length > 0) {
      // Parentheses leave no node of their own; the inner node takes their span.
      return { ...this.expr(node(n, 'inner')), span };
    }
    return { kind: 'array', items: this.exprList(node(n, 'items')), span };
  }

  /** `f(1, 2, scale = 3)`: positional arguments, then named ones (`named` only when some are written). */
  private call(callee: Ident, n: CstNode, span: Span): Expr {
    const args: Expr[] = [];
    const named: { name: Ident; value: Expr; span: Span }[] = [];
    for (const item of nodes(n, 'item')) {
      const name = tokens(item, 'name')[0];
      const value = this.expr(node(item, 'value'));
      if (name) {
        named.push({ name: this.ident(name), value, span: this.nodeSpan(item) });
      } else {
        if (named.length > 0 && this.diagnostics.length === 0) {
          this.diagnostics.push({
            severity: 'error',
            code: 'syntax',
            message: `a positional argument cannot follow a named one in the call of '${callee.name}'`,
            span: value.span,
            file: this.file,
            hint: 'write the positional arguments first, then the named ones (name = value)',
          });
        }
        args.push(value);
      }
    }
    return { kind: 'call', callee, args, ...(named.length > 0 ? { named } : {}), span };
  }

  private exprList(n: CstNode): Expr[] {
    return nodes(n, 'item').map((i) => this.expr(i));
  }
}
