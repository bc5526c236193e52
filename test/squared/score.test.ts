// A squared circuit's log densities by row (pmix score, the API's logProb) are its own
// 2 log|c| - log Z with missing cells integrated out, equal to its logp queries; the shared
// forward pass knows no square node and once failed with an internal error there.
import { describe, expect, it } from 'vitest';
import { load } from '../../api/index.js';
import { serializeArtifact } from '../../runtime/artifact.js';
import { Session } from '../../session/session.js';
import { compileOk } from '../helpers/programs.js';

const TEXT = `model S(x, y) = square(mixture(weights = [1.0, -0.45, 0.2]) {
  Normal(diag, mean = [0, 0], sd = [1.7, 1.7]),
  Normal(diag, mean = [0, 0], sd = [1.2, 1.2]),
  Normal(diag, mean = [2, 0], sd = [0.8, 0.8])
})`;

describe('squared circuits scored by row', () => {
  it('logProb equals the logp queries, with missing cells marginalized', () => {
    const m = load(serializeArtifact(new Session(compileOk(TEXT)).artifact('S')));
    const lp = m.logProb([{ x: 0, y: 0 }, { x: 2, y: null }, { x: 1.5, y: -0.5 }]);
    const q = (text: string): number => {
      const a = m.query(text);
      if (a.kind !== 'density') throw new Error(a.kind);
      return a.logValue;
    };
    expect(lp[0]).toBeCloseTo(q('logp(x = 0, y = 0)'), 12);
    expect(lp[1]).toBeCloseTo(q('logp(x = 2)'), 12);
    expect(lp[2]).toBeCloseTo(q('logp(x = 1.5, y = -0.5)'), 12);
    expect(lp.every(Number.isFinite)).toBe(true);
  });
});
