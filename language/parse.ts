// Entry points: text -> AST plus diagnostics. Never throws.
//
// Recovery works at statement boundaries: the token stream is cut before every statement
// keyword (data, model, let, fit, query; they can appear nowhere else), each piece is parsed
// on its own, and a piece with an error yields one diagnostic and no statement.
import type { CstNode, IRecognitionException, IToken, TokenType } from 'chevrotain';
import type { Program, QueryAst, Span, Statement } from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import { grammar, type StartRule } from './grammar.js';
import { orList } from './messages.js';
import { QUERY_FORMS } from './queries.js';
import { LineIndex } from './span.js';
import { didYouMean } from './suggest.js';
import * as T from './tokens.js';
import { AstBuilder, CstShapeError } from './visitor.js';
import { MAX_SYNTAX_DEPTH, tooDeep } from './depth.js';

interface LexedText {
  readonly tokens: IToken[];
  /** Lexical errors as diagnostics, in text order. */
  readonly diagnostics: Diagnostic[];
}

function lex(text: string, lines: LineIndex, file: string): LexedText {
  const result = T.PmixLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  const add = (start: number, end: number, message: string, hint?: string): void => {
    diagnostics.push({ severity: 'error', code: 'lex', message, span: lines.span(start, end), file, ...(hint ? { hint } : {}) });
  };
  for (const err of result.errors) {
    const chars = text.slice(err.offset, err.offset + err.length);
    const shown = chars.length > 20 ? `${chars.slice(0, 20)}...` : chars;
    add(err.offset, err.offset + err.length, `unexpected character${chars.length > 1 ? 's' : ''} '${shown}'`, comparisonHint(text, err.offset));
  }
  for (const tok of result.groups[T.LEX_ERRORS] ?? []) {
    const start = tok.startOffset;
    const end = start + tok.image.length;
    if (tok.tokenType === T.UnterminatedComment) {
      add(start, start + 2, 'unterminated block comment', "close it with '*/'");
    } else if (tok.tokenType === T.SingleQuoted) {
      const body = tok.image.slice(1).replace(/'$/, '');
      add(start, end, 'strings are written in double quotes', `write "${body}"`);
    } else if (tok.tokenType === T.BadNumber) {
      add(start, end, `malformed number '${tok.image}'`, 'numbers look like 3, 3.1, .5 or 1e-6');
    } else {
      const escape = badEscape(tok.image);
      if (escape) add(start, end, `unknown escape '${escape}' in string`, 'only \\" and \\\\ are escapes');
      else add(start, end, 'unterminated string', "add the closing '\"' on the same line");
    }
  }
  diagnostics.sort((a, b) => (a.span?.startOffset ?? 0) - (b.span?.startOffset ?? 0));
  return { tokens: result.tokens, diagnostics };
}

/** The first unknown escape of a closed string literal; undefined if it is unterminated. */
function badEscape(image: string): string | undefined {
  let escape: string | undefined;
  for (let i = 1; i < image.length; i++) {
    const c = image[i];
    if (c === '"') return escape;
    if (c === '\\') {
      const next = image[i + 1] ?? '';
      if (next !== '"' && next !== '\\') escape ??= `\\${next}`;
      i++;
    }
  }
  return undefined;
}

// Content assist re-walks the grammar over the whole prefix; past this many tokens the
// list is not worth the time and only the token the parser wanted is given.
const CONTENT_ASSIST_LIMIT = 400;

/**
 * Tokens that could have come next, in plain words, the token the parser wanted (if it
 * wanted one) first. Operators are left out: after a complete operand they always fit.
 */
function expectedAfter(rule: StartRule, preceding: IToken[], wanted: string | undefined): string[] {
  const labels: string[] = [];
  try {
    if (preceding.length <= CONTENT_ASSIST_LIMIT) {
      const seen = new Set<TokenType>();
      for (const path of grammar.computeContentAssist(rule, preceding)) {
        if (seen.has(path.nextTokenType) || T.CONTINUATION_TOKENS.includes(path.nextTokenType)) continue;
        seen.add(path.nextTokenType);
        labels.push(T.tokenLabel(path.nextTokenType));
      }
    }
  } catch {
    // Deep nesting can exhaust the stack here; the error is still worth reporting.
  }
  if (wanted === undefined) return labels;
  return [wanted, ...labels.filter((l) => l !== wanted)];
}

interface Piece {
  readonly tokens: IToken[];
  /** The token after the piece (the next statement's keyword), if any. */
  readonly next: IToken | undefined;
}

class Driver {
  readonly diagnostics: Diagnostic[] = [];
  readonly lines: LineIndex;
  /** Whether the last syntax error was that the statement stopped short. */
  endedEarly = false;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.lines = new LineIndex(text);
  }

  /** Whether `next` starts on the line where `tokens` end. */
  sameLine(tokens: readonly IToken[], next: IToken): boolean {
    const last = tokens[tokens.length - 1];
    if (!last) return false;
    return this.lines.position(last.startOffset + last.image.length).line === this.lines.position(next.startOffset).line;
  }

  tokSpan(tok: IToken): Span {
    return this.lines.span(tok.startOffset, tok.startOffset + tok.image.length);
  }

  /** Parses one piece from `rule` and builds its AST; undefined after a diagnostic. */
  parse<R>(rule: StartRule, piece: Piece, build: (builder: AstBuilder, cst: CstNode) => R | undefined): R | undefined {
    this.endedEarly = false;
    try {
      grammar.input = piece.tokens;
      const cst: CstNode | undefined = rule === 'statement' ? grammar.statement() : grammar.queryExpr();
      const err = grammar.errors[0];
      if (err || !cst) {
        if (err) this.diagnostics.push(this.syntaxError(rule, err, piece));
        return undefined;
      }
      const builder = new AstBuilder(this.lines, this.file);
      const result = build(builder, cst);
      const shape = builder.diagnostics[0];
      if (shape) {
        this.diagnostics.push(shape);
        return undefined;
      }
      return result;
    } catch (e) {
      const first = piece.tokens[0];
      const span = first ? this.tokSpan(first) : this.lines.span(0, 0);
      const deep = e instanceof RangeError;
      this.diagnostics.push({
        severity: 'error',
        code: deep ? 'too-deep' : 'internal',
        message: deep
          ? 'this statement is nested too deeply to parse'
          : `internal parser error: ${e instanceof CstShapeError ? e.message : String(e)}`,
        span,
        file: this.file,
      });
      return undefined;
    } finally {
      grammar.input = [];
    }
  }

  strayBeforeStatement(tok: IToken): Diagnostic {
    const expected = ["'data'", "'model'", "'let'", "'fit'", "'query'"];
    const hint = hintFor(tok, expected);
    return {
      severity: 'error',
      code: 'syntax',
      message: `expected a statement (${orList(expected)}) but found ${describeToken(tok)}`,
      span: this.tokSpan(tok),
      file: this.file,
      expected,
      ...(hint ? { hint } : {}),
    };
  }

  private syntaxError(rule: StartRule, err: IRecognitionException, piece: Piece): Diagnostic {
    const what = err.message;
    let index = piece.tokens.indexOf(err.token);
    this.endedEarly = index < 0;
    let foundTok: IToken | undefined = err.token;
    let span = this.lines.span(0, 0);
    if (index < 0) {
      // The piece ended early: blame what follows if it is on the same line, else the
      // point just after the piece.
      index = piece.tokens.length;
      const last = piece.tokens[piece.tokens.length - 1];
      const end = last ? last.startOffset + last.image.length : 0;
      foundTok = piece.next && this.sameLine(piece.tokens, piece.next) ? piece.next : undefined;
      span = this.lines.span(end, end);
    }
    if (foundTok) span = this.tokSpan(foundTok);
    const found = foundTok ? describeToken(foundTok) : piece.next ? 'the end of the statement' : 'end of input';
    const wanted = err.name === 'MismatchedTokenException' ? what : undefined;
    const expected = expectedAfter(rule, piece.tokens.slice(0, index), wanted);
    if (err.name === 'NotAllInputParsedException' && rule === 'statement') expected.push('a new statement');
    const kind = foundTok ? unknownModelKind(piece.tokens, foundTok) : undefined;
    if (kind) return kind(this);
    const hint = foundTok ? hintFor(foundTok, expected) : undefined;
    return {
      severity: 'error',
      code: 'syntax',
      message: `expected ${what} but found ${found}`,
      span,
      file: this.file,
      ...(expected.length > 0 ? { expected } : {}),
      ...(hint ? { hint } : {}),
    };
  }
}

function internalError(driver: Driver, e: unknown): Diagnostic {
  const message = `internal parser error: ${e instanceof Error ? e.message : String(e)}`;
  return { severity: 'error', code: 'internal', message, span: driver.lines.span(0, 0), file: driver.file };
}

function describeToken(tok: IToken): string {
  if (tok.tokenType === T.StringLiteral) return `the string ${tok.image.length > 22 ? `${tok.image.slice(0, 20)}..."` : tok.image}`;
  const image = tok.image.length > 20 ? `${tok.image.slice(0, 20)}...` : tok.image;
  return `'${image}'`;
}

/** The model kinds that take `of` (a leaf never does). */
const MODEL_KINDS = ['mixture', 'product', 'circuit', 'square', 'sos', 'integral', 'gp'];

/**
 * `model M = mixtrue(k = 3) of Normal`: the parser read `mixtrue(...)` as a leaf and stopped
 * at 'of'; the mistake is the misspelt kind, so say that (one message, with a suggestion).
 */
function unknownModelKind(tokens: readonly IToken[], found: IToken): ((driver: Driver) => Diagnostic) | undefined {
  if (found.tokenType !== T.Of || tokens[0]?.tokenType !== T.Model) return undefined;
  const eq = tokens.findIndex((t) => t.tokenType === T.Equals);
  const kind = eq > 0 ? tokens[eq + 1] : undefined;
  if (!kind || kind.tokenType !== T.Identifier) return undefined;
  const match = didYouMean(kind.image, MODEL_KINDS);
  return (driver) => ({
    severity: 'error',
    code: 'syntax',
    message: `unknown model kind '${kind.image}' before 'of'`,
    span: driver.tokSpan(kind),
    file: driver.file,
    hint: match ? `did you mean '${match}'?` : `'of' follows ${orList(MODEL_KINDS.map((k) => `'${k}'`))}`,
  });
}

/** A comparison where pmix writes an interval: `p(x > 40)` is `p(x in [40, inf])`. */
function comparisonHint(text: string, offset: number): string | undefined {
  const op = text[offset];
  if (op !== '>' && op !== '<') return undefined;
  const before = /([A-Za-z_]\w*)\s*$/.exec(text.slice(0, offset))?.[1] ?? 'x';
  const after = /^=?\s*(-?[\d.]+(?:e-?\d+)?)/.exec(text.slice(offset + 1))?.[1] ?? 'a';
  const interval = op === '>' ? `[${after}, inf]` : `[-inf, ${after}]`;
  return `pmix has no comparisons; an event is an interval: write ${before} in ${interval}`;
}

/** A keyword typed wrongly, or a reserved word used as a name. */
function hintFor(tok: IToken, expected: readonly string[]): string | undefined {
  if (tok.tokenType === T.Identifier) {
    const keywords = expected.filter((e) => /^'[a-z]+'$/.test(e)).map((e) => e.slice(1, -1));
    const match = didYouMean(tok.image, keywords);
    return match ? `did you mean '${match}'?` : undefined;
  }
  if (T.RESERVED_WORDS.includes(tok.image) && expected.includes('a name')) {
    return `'${tok.image}' is a reserved word and cannot be used as a name`;
  }
  return undefined;
}

function splitStatements(tokens: IToken[]): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  for (let i = 1; i <= tokens.length; i++) {
    const tok = tokens[i];
    if (i === tokens.length || (tok && T.STATEMENT_KEYWORDS.includes(tok.tokenType))) {
      pieces.push({ tokens: tokens.slice(start, i), next: tok });
      start = i;
    }
  }
  return pieces;
}

export function parseProgram(text: string, file: string): { program: Program; diagnostics: Diagnostic[] } {
  const driver = new Driver(String(text), file);
  const statements: Statement[] = [];
  const broken: string[] = [];
  try {
    const lexed = lex(driver.text, driver.lines, file);
    const lexErrorOffsets = lexed.diagnostics.map((d) => d.span?.startOffset ?? 0);
    let nextLexError = 0;
    let skip = false;
    splitStatements(lexed.tokens).forEach((piece, i) => {
      const first = piece.tokens[0];
      if (!first || skip) {
        skip = false;
        return;
      }
      const from = i === 0 ? 0 : first.startOffset;
      const to = piece.next ? piece.next.startOffset : Infinity;
      // A lexical error already explains this statement.
      while ((lexErrorOffsets[nextLexError] ?? Infinity) < from) nextLexError++;
      if ((lexErrorOffsets[nextLexError] ?? Infinity) < to) {
        if (first.tokenType === T.Model && piece.tokens[1]?.tokenType === T.Identifier) broken.push(piece.tokens[1].image);
        return;
      }
      if (!T.STATEMENT_KEYWORDS.includes(first.tokenType)) {
        const stray = piece.tokens.find((t) => t.tokenType !== T.Semicolon);
        if (stray) driver.diagnostics.push(driver.strayBeforeStatement(stray));
        return;
      }
      const stmt = driver.parse('statement', piece, (builder, cst) => builder.statement(cst));
      const deep = stmt && tooDeep(stmt);
      if (deep) driver.diagnostics.push(nestedTooDeep(driver, stmt.span));
      else if (stmt) statements.push(stmt);
      else if (first.tokenType === T.Model && piece.tokens[1]?.tokenType === T.Identifier) broken.push(piece.tokens[1].image);
      // A keyword in the middle of a line cut this statement short (`fit M on data by em`):
      // the rest of that line belongs to the bad statement, not to a new one.
      else if (driver.endedEarly && piece.next && driver.sameLine(piece.tokens, piece.next)) skip = true;
    });
    driver.diagnostics.push(...lexed.diagnostics);
  } catch (e) {
    driver.diagnostics.push(internalError(driver, e));
  }
  driver.diagnostics.sort((a, b) => (a.span?.startOffset ?? 0) - (b.span?.startOffset ?? 0));
  return { program: { statements, ...(broken.length ? { broken } : {}) }, diagnostics: driver.diagnostics };
}

function nestedTooDeep(driver: Driver, span: Span): Diagnostic {
  return {
    severity: 'error',
    code: 'too-deep',
    message: `an expression here nests more than ${MAX_SYNTAX_DEPTH} levels deep, more than pmix evaluates`,
    span,
    file: driver.file,
    hint: 'split it into let constants (let a = ...; let b = a + ...), or use an array',
  };
}

/** Parses the bare text of a query, e.g. `logp(x = 1 | y = 2)`. Never throws. */
export function parseQuery(text: string, file = '<query>'): { query?: QueryAst; diagnostics: Diagnostic[] } {
  const driver = new Driver(String(text), file);
  let query: QueryAst | undefined;
  try {
    const lexed = lex(driver.text, driver.lines, file);
    if (lexed.diagnostics.length > 0) return { diagnostics: lexed.diagnostics };
    if (lexed.tokens.length === 0) {
      const expected = QUERY_FORMS.map((f) => `'${f}'`);
      const message = 'expected a query such as logp(x = 1) but found end of input';
      return { diagnostics: [{ severity: 'error', code: 'syntax', message, span: driver.lines.span(0, 0), file, expected }] };
    }
    query = driver.parse('queryExpr', { tokens: lexed.tokens, next: undefined }, (builder, cst) => builder.queryExpr(cst));
    const deep = query && tooDeep(query);
    if (deep) {
      driver.diagnostics.push(nestedTooDeep(driver, query!.span));
      query = undefined;
    }
  } catch (e) {
    driver.diagnostics.push(internalError(driver, e));
  }
  return { ...(query ? { query } : {}), diagnostics: driver.diagnostics };
}
