// Chevrotain computes an LL(k) lookahead function for every OR, OPTION and MANY of the
// grammar when the parser is built (~60% of building it, on every start of the CLI). This
// strategy hands chevrotain a stub per production that asks the LL(k) strategy for the real
// function the first time the parser reaches that production, so a small file pays only for
// the productions it uses. The functions are the same ones (test/language/lazy-lookahead.test.ts
// parses with both and compares).
import { LLkLookaheadStrategy, type ILookaheadStrategy } from 'chevrotain';

type AltOptions = Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0];
type OptOptions = Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0];
type AltFunc = ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']>;
type OptFunc = ReturnType<ILookaheadStrategy['buildLookaheadForOptional']>;

export class LazyLookahead implements ILookaheadStrategy {
  private readonly llk: ILookaheadStrategy;

  constructor(maxLookahead: number) {
    this.llk = new LLkLookaheadStrategy({ maxLookahead });
  }

  validate(options: Parameters<ILookaheadStrategy['validate']>[0]): ReturnType<ILookaheadStrategy['validate']> {
    return this.llk.validate(options);
  }

  initialize(options: { rules: Parameters<ILookaheadStrategy['validate']>[0]['rules'] }): void {
    this.llk.initialize?.(options);
  }

  buildLookaheadForAlternation(options: AltOptions): AltFunc {
    const llk = this.llk;
    let f: AltFunc | undefined;
    // chevrotain calls these with the parser as `this` (they read its token stream).
    return function (this: unknown, alts) {
      f ??= llk.buildLookaheadForAlternation(options);
      return f.call(this, alts);
    };
  }

  buildLookaheadForOptional(options: OptOptions): OptFunc {
    const llk = this.llk;
    let f: OptFunc | undefined;
    return function (this: unknown) {
      f ??= llk.buildLookaheadForOptional(options);
      return f.call(this);
    };
  }
}
