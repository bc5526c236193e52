// Model.picture() is asynchronous (the families' plot hooks import plot/ and d3 when they draw):
// a fitted one-input GP resolves to its SVG (data, mean and band over the span asked for), a
// mixture, which has no picture of its own kind, to undefined.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/browser.js';

const csv = ['x,y', ...Array.from({ length: 30 }, (_, i) => `${(i / 3).toFixed(3)},${Math.sin(i / 3).toFixed(4)}`)].join('\n');

describe('Model.picture()', () => {
  it("resolves to a one-input GP's SVG, drawn over the span given", async () => {
    const program = compile('data d from "d.csv" { x: real, y: real }\nmodel G = gp(x: real -> y: real) { kernel = 1 * rbf(ls = 1) }\nfit G on d by lbfgs(seed = 1)', { data: { d: csv } });
    program.run();
    const pending = program.model('G').picture({ span: [-2, 12] });
    expect(pending).toBeInstanceOf(Promise);
    const svg = await pending;
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // the x axis is labelled over the span given: its ends (-2, written with U+2212, and 12) lie beyond the data's [0, 9.667]
    const labels = [...svg!.matchAll(/<text[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(labels.slice(0, 8)).toEqual(['\u22122', '0', '2', '4', '6', '8', '10', '12']);
  });

  it('resolves to undefined for a model without a picture of its own kind', async () => {
    const program = compile('data d from "d.csv" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal(diag)\nfit M on d by em(seed = 1)', { data: { d: csv } });
    program.run();
    await expect(program.model('M').picture()).resolves.toBeUndefined();
  });
});
