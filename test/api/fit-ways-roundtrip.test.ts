// Models fitted by online EM, with partial labels, by a warm start or by update() are ordinary
// models (issue 16): their artifacts load, and the loaded models answer every query and score
// every row exactly as the originals do.
import { describe, expect, it } from 'vitest';
import { compile, load, type Model } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';

function rows(n: number, seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ x: (i % 2 ? 0 : 4) + rng.normal(), y: (i % 2 ? 1 : -2) + 0.6 * rng.normal(), cls: i % 5 === 0 ? (i % 2 ? 'p' : 'q') : null }));
}

function sameAnswers(a: Model, b: Model): void {
  const probe = [{ x: 0.3, y: 0.2 }, { x: 4, y: -2 }, { x: 2 }];
  expect(Array.from(b.logProb(probe))).toEqual(Array.from(a.logProb(probe)));
  for (const q of ['p(y | x = 1)', 'mean(x)', 'logp(x in [0, 2])', 'mode()']) expect(b.query(q)).toEqual(a.query(q));
  expect(b.posterior(probe)).toEqual(a.posterior(probe));
  expect(b.sample(5, { seed: 3 })).toEqual(a.sample(5, { seed: 3 }));
}

describe('artifacts of models fitted the new ways', () => {
  const data = rows(400, 1);
  const plain = data.map(({ cls: _c, ...r }) => r);
  it('online EM', async () => {
    const m = compile('model M(x, y) = mixture(k = 2) of Normal(full)').model('M');
    await m.fit(plain, { method: 'online', batch: 50, passes: 2 });
    sameAnswers(m, load(m.save()));
    expect(JSON.parse(m.save()).provenance.fit).toMatchObject({ method: 'online', batch: 50, passes: 2, alpha: 0.6 });
  });
  it('partial labels', async () => {
    const m = compile('model M(x, y) = mixture(k = 3) of Normal(full)').model('M');
    await m.fit(data, { method: 'em', labels: 'cls' });
    sameAnswers(m, load(m.save()));
  });
  it('a warm start and update()', async () => {
    const m = compile('model M(x, y) = mixture(k = 2) of Normal(diag)').model('M');
    await m.fit(plain, { seed: 2 });
    const loaded = load(m.save());
    await loaded.fit(rows(200, 5).map(({ cls: _c, ...r }) => r));
    loaded.update(plain.slice(0, 50));
    const again = load(loaded.save());
    sameAnswers(loaded, again);
    expect(JSON.parse(loaded.save()).provenance.continued_from).toBe("the artifact of 'M'");
  });
});
