// Messages a new user meets first (issue 19): a misspelt model kind is one message with a
// suggestion and no cascade of "unknown model" errors; a comparison hints at an interval.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { renderDiagnostic } from '../../language/index.js';

function messages(src: string): string[] {
  return compile(src, 'x.pmix', { baseDir: '/nonexistent' }).diagnostics.map((d) => renderDiagnostic(d, src));
}

describe('messages for common slips', () => {
  it("mixtrue(k = 3) gets one message with \"did you mean 'mixture'\" and no cascade", () => {
    const out = messages('model M = mixtrue(k = 3) of Normal(full)\nfit M on d by em\nquery M: p(x = 1)\n');
    // The data set d is unknown too (and says so); the model M is not reported again.
    expect(out.filter((m) => m.includes("'M'"))).toEqual([]);
    const kind = out.filter((m) => m.includes('mixtrue'));
    expect(kind).toHaveLength(1);
    expect(kind[0]).toMatch(/^x\.pmix:1:11: error: unknown model kind 'mixtrue' before 'of'/);
    expect(kind[0]).toContain("hint: did you mean 'mixture'?");
  });

  it('each misspelt kind that takes `of` is suggested', () => {
    for (const [typo, fix] of [['prodcut', 'product'], ['circiut', 'circuit'], ['sqaure', 'square']]) {
      const out = messages(`model M = ${typo} of Normal\n`);
      expect(out).toHaveLength(1);
      expect(out[0]).toContain(`did you mean '${fix}'?`);
    }
  });

  it('a leaf with a bad argument list is still a plain syntax error (no kind guessed)', () => {
    const out = messages('model M = Normal(mean = 0,, sd = 1)\n');
    expect(out[0]).not.toContain('model kind');
  });

  it('p(x > 40) hints at x in [40, inf]; p(x < 2) and p(x <= -1.5) at [-inf, ...]', () => {
    const gt = messages('query M: p(x > 40)\n');
    expect(gt[0]).toMatch(/unexpected character '>'/);
    expect(gt[0]).toContain('hint: pmix has no comparisons; an event is an interval: write x in [40, inf]');
    expect(messages('query M: p(height < 2)\n')[0]).toContain('write height in [-inf, 2]');
    expect(messages('query M: p(y <= -1.5)\n')[0]).toContain('write y in [-inf, -1.5]');
  });
});
