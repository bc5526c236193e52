// The tokens of the .pmix language. A token's `label` is its name in plain words, used
// in "expected ..." lists of diagnostics.
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

// Malformed input is lexed into tokens of the 'lexErrors' group (kept out of the parser's
// input) so that it can be reported precisely instead of as a run of stray characters.
export const LEX_ERRORS = 'lexErrors';
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  group: LEX_ERRORS,
  line_breaks: true,
});
export const StringLiteral = createToken({ name: 'String', pattern: /"(?:[^"\\\r\n]|\\["\\])*"/, label: 'a string' });
/** A string with an unknown escape, or without its closing quote on the same line. */
export const BadString = createToken({
  name: 'BadString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n]?)*"?/,
  group: LEX_ERRORS,
});
/** Strings are double-quoted; a single-quoted one gets a diagnostic of its own. */
export const SingleQuoted = createToken({ name: 'SingleQuoted', pattern: /'[^'\r\n]*'?/, group: LEX_ERRORS });
/** A number run into letters, dots or a dangling exponent: `1e`, `1.2.3`, `3x`. */
export const BadNumber = createToken({
  name: 'BadNumber',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d*)?[A-Za-z0-9_.]*/,
  group: LEX_ERRORS,
});
export const NumberLiteral = createToken({
  name: 'Number',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  longer_alt: BadNumber,
  label: 'a number',
});

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return createToken({ name, pattern: word, longer_alt: Identifier, label: `'${word}'` });
}

export const Data = keyword('data');
export const From = keyword('from');
export const Model = keyword('model');
export const Let = keyword('let');
export const Fit = keyword('fit');
export const On = keyword('on');
export const By = keyword('by');
export const Weights = keyword('weights');
export const Query = keyword('query');
export const Mixture = keyword('mixture');
export const Of = keyword('of');
export const Product = keyword('product');
export const Circuit = keyword('circuit');
export const Gp = keyword('gp');
/** experts(x -> y) { ... }: a mixture of experts, a conditional model beside gp(x -> y) (families/moe). */
export const Experts = keyword('experts');
/** square(c), sos(c1, ..., cr): squared (subtractive) circuits. */
export const Square = keyword('square');
export const Sos = keyword('sos');
/** integral z: real in [a, b] of ...: an integral unit over a continuous latent variable. */
export const Integral = keyword('integral');
export const Fixed = keyword('fixed');
export const In = keyword('in');
export const Real = keyword('real');
export const Int = keyword('int');
export const Bool = keyword('bool');
export const Categorical = keyword('categorical');

export const RESERVED_WORDS: readonly string[] = [
  'data', 'from', 'model', 'let', 'fit', 'on', 'by', 'weights', 'query',
  'mixture', 'of', 'product', 'circuit', 'gp', 'experts', 'square', 'sos', 'integral', 'fixed', 'in', 'real', 'int', 'bool', 'categorical',
];

/** Tokens that begin a statement: error recovery resumes at the next one. */
export const STATEMENT_KEYWORDS: readonly TokenType[] = [Data, Model, Let, Fit, Query];

function punct(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `'${text}'` });
}

export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBrace = punct('LBrace', '{');
export const RBrace = punct('RBrace', '}');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const Comma = punct('Comma', ',');
export const Colon = punct('Colon', ':');
export const Semicolon = punct('Semicolon', ';');
export const Equals = punct('Equals', '=');
export const Bar = punct('Bar', '|');
export const Plus = punct('Plus', '+');
export const Arrow = punct('Arrow', '->');
export const Minus = punct('Minus', '-');
export const Star = punct('Star', '*');
export const Slash = punct('Slash', '/');
export const Caret = punct('Caret', '^');

/** Binary operators: after a complete operand they are always possible, so they are
 * left out of "expected" lists unless nothing else fits. */
export const CONTINUATION_TOKENS: readonly TokenType[] = [Plus, Minus, Star, Slash, Caret, In, Fixed];

// Order matters: the lexer takes the first pattern that matches, so comments precede
// '/', `integral` precedes `int` and `int` precedes `in` (keywords fall back to Identifier
// through longer_alt).
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  BadString,
  SingleQuoted,
  NumberLiteral,
  BadNumber,
  Categorical,
  Mixture,
  Product,
  Circuit,
  Gp,
  Experts,
  Square,
  Sos,
  Integral,
  Weights,
  Fixed,
  Model,
  Query,
  Data,
  From,
  Real,
  Bool,
  Let,
  Fit,
  Int,
  In,
  On,
  By,
  Of,
  Identifier,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Equals,
  Bar,
  Plus,
  Arrow,
  Minus,
  Star,
  Slash,
  Caret,
];

/** The lexer's options; its pattern validations run in test/language/grammar-validation.test.ts, not on every start. */
export const LEXER_CONFIG = { positionTracking: 'full', ensureOptimizations: false } as const;
export const PmixLexer = new Lexer(allTokens, { ...LEXER_CONFIG, skipValidations: true });

/** The plain-words name of a token type, e.g. "')'" or "a number". */
export function tokenLabel(type: TokenType): string {
  if (type.name === 'EOF') return 'end of input';
  return type.LABEL ?? type.name;
}
