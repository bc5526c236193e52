// Finds the ways JavaScript runs a string as code, by walking the syntax tree (TypeScript's
// parser reads .ts and .js alike), so indirect forms are caught as well as direct calls:
// `eval` used as a value at all (`eval(s)`, `(0, eval)(s)`, `const run = eval`), `eval` taken
// off the global object, the Function constructor (called, constructed, aliased, or reached as
// some function's `.constructor(...)`), string timers, node:vm, and workers started from
// source text (`new Worker(src, { eval: true })`). Strings and comments that merely say "eval"
// are not code; neither are property keys like a REPL's `eval:` hook or types named Function.
import ts from 'typescript';

export interface CodeFromString {
  readonly kind: 'eval' | 'global-eval' | 'function-constructor' | 'constructor-call' | 'string-timer' | 'vm' | 'worker-eval';
  /** Character offset of the use in the text. */
  readonly pos: number;
  /** The expression, as written (at most 80 characters). */
  readonly text: string;
  /** worker-eval: the worker's source argument as written. */
  readonly source?: string;
}

const GLOBALS = new Set(['globalThis', 'window', 'self', 'global']);

/** The name a property access or element access reads ('eval' for `g.eval` and `g['eval']`). */
function accessedName(n: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(n)) return n.name.text;
  if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression)) return n.argumentExpression.text;
  return undefined;
}

/** Whether an identifier stands for a value here (not a property name, key, declaration or type). */
function isValueUse(id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isBindingElement(p)) && p.name === id) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return false;
  if (ts.isTypeReferenceNode(p) || ts.isExpressionWithTypeArguments(p) || ts.isTypeQueryNode(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

/**
 * `x instanceof Function` only compares, and `Function.prototype.toString` (lodash, immer) or
 * `Function.name` only read; every other use can reach the constructor (`Function.call(0, s)`,
 * `Function.prototype.constructor(s)`, an alias).
 */
function harmlessFunctionUse(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword && p.right === id) return true;
  if (!ts.isPropertyAccessExpression(p) || p.expression !== id) return false;
  if (['toString', 'name', 'length'].includes(p.name.text)) return true;
  return p.name.text === 'prototype' && !(ts.isPropertyAccessExpression(p.parent) && p.parent.name.text === 'constructor');
}

export function findCodeFromStrings(text: string, fileName: string): CodeFromString[] {
  const kind = /\.tsx?$/.test(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const out: CodeFromString[] = [];
  const add = (k: CodeFromString['kind'], n: ts.Node, source?: string): void => {
    out.push({ kind: k, pos: n.getStart(sf), text: n.getText(sf).slice(0, 80), ...(source !== undefined ? { source } : {}) });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && isValueUse(n)) {
      if (n.text === 'eval') add('eval', n);
      // `x instanceof Function` only compares; every other value use can reach the constructor.
      else if (n.text === 'Function' && !harmlessFunctionUse(n)) add('function-constructor', n);
    }
    const name = accessedName(n);
    if (name !== undefined) {
      const obj = (n as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression;
      if ((name === 'eval' || name === 'Function') && ts.isIdentifier(obj) && GLOBALS.has(obj.text)) add('global-eval', n);
      if (name === 'constructor' && ts.isCallExpression(n.parent) && n.parent.expression === n) add('constructor-call', n.parent);
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && /^set(Timeout|Interval|Immediate)$/.test(n.expression.text)) {
      const first = n.arguments[0];
      if (first && (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first))) add('string-timer', n);
    }
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) && /^(node:)?vm$/.test(n.moduleSpecifier.text)) add('vm', n);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0]) && /^(node:)?vm$/.test(n.arguments[0].text)) add('vm', n);
    if (ts.isNewExpression(n) && /Worker$/.test(n.expression.getText(sf))) {
      const evalMode = (n.arguments ?? []).some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'eval' && p.initializer.kind !== ts.SyntaxKind.FalseKeyword));
      if (evalMode) add('worker-eval', n, n.arguments![0]?.getText(sf));
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
