// The shared parser skips chevrotain's grammar validations (start-up time, language/grammar.ts);
// this builds the grammar with them on, so an ambiguous rule still fails here.
import { CstParser, createToken, Lexer } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { PmixGrammar } from '../../language/grammar.js';
import { allTokens, LEXER_CONFIG } from '../../language/tokens.js';

describe('grammar validation', () => {
  it('the pmix grammar passes chevrotain\'s validations', () => {
    expect(() => new PmixGrammar({ validate: true })).not.toThrow();
  });

  it("the pmix tokens pass chevrotain's lexer validations (the shared lexer skips them)", () => {
    expect(() => new Lexer(allTokens, { ...LEXER_CONFIG, skipValidations: false })).not.toThrow();
    // ...and they are on with these options: a token that can match nothing is refused.
    const Empty = createToken({ name: 'Empty', pattern: /a*/ });
    expect(() => new Lexer([...allTokens, Empty], { ...LEXER_CONFIG, skipValidations: false })).toThrow(/empty/i);
  });

  it('the validations are on with these options: an ambiguous rule is refused, and accepted with them skipped', () => {
    const A = createToken({ name: 'A', pattern: /a/ });
    class Ambiguous extends CstParser {
      constructor(skipValidations: boolean) {
        super([A], { skipValidations });
        this.performSelfAnalysis();
      }
      public r: () => unknown = this.RULE('r', () => {
        this.OR([{ ALT: () => this.CONSUME(A) }, { ALT: () => this.CONSUME2(A) }]);
      });
    }
    expect(() => new Ambiguous(false)).toThrow(/[Aa]mbiguous/);
    expect(() => new Ambiguous(true)).not.toThrow();
  });
});
