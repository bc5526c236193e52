// Chevrotain error messages, reduced to "what was expected" in plain words. The driver
// (parse.ts) completes them as "expected <what> but found <token>", because only it knows
// what follows the statement being parsed.
import type { IParserErrorMessageProvider, TokenType } from 'chevrotain';
import { tokenLabel } from './tokens.js';

/** What a rule stands for, when no single token was expected there. */
const RULE_WHAT: Readonly<Record<string, string>> = {
  statement: "a statement ('data', 'model', 'let', 'fit' or 'query')",
  columnType: "a column type ('real', 'int', 'bool' or 'categorical')",
  modelExpr: "a model (a distribution, 'mixture' or 'product')",
  mixture: "'of' or '{'",
  integralDomain: "a domain ('real in [a, b]' or a name such as 'normal')",
  part: "a variable name or '('",
  arg: 'an argument name',
  queryItem: 'an assignment or an expression',
  expr: 'an expression',
  term: 'an expression',
  unary: 'an expression',
  power: 'an expression',
  primary: 'an expression',
};

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string {
  const labels = new Set<string>();
  for (const path of paths) {
    const first = path[0];
    if (first) labels.add(tokenLabel(first));
  }
  return orList([...labels]);
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => tokenLabel(expected),
  buildNotAllInputParsedMessage: ({ ruleName }) => (ruleName === 'statement' ? 'the end of the statement' : 'end of input'),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName, customUserDescription }) =>
    customUserDescription ?? RULE_WHAT[ruleName] ?? firstTokens(expectedPathsPerAlt.flat()),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName, customUserDescription }) =>
    customUserDescription ?? RULE_WHAT[ruleName] ?? firstTokens(expectedIterationPaths),
};
