// The example app (examples/app/server.mjs) serves a fitted model over HTTP on loopback: its
// answers equal the embedding API's, and bad requests get a 400 with pmix's message.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../api/index.js';
import { get, post, startApp, type App } from './harness.js';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

describe('example app', () => {
  it('serves log-densities and posteriors equal to the API, samples and queries', async () => {
    const model = load(readFileSync(app.artifact, 'utf8'));
    const rows = [{ home_goals: 2, away_goals: 1 }, { home_goals: 0 }, { home_goals: null, away_goals: 3 }];
    const r = await post(app.base, '/logprob', JSON.stringify({ rows }));
    expect(r.status).toBe(200);
    expect(r.json.log_prob).toEqual(Array.from(model.logProb(rows)));
    const p = await post(app.base, '/posterior', JSON.stringify({ rows }));
    expect(p.json.posterior).toEqual(model.posterior(rows));
    const s = await get(app.base, '/sample?n=3&seed=1');
    expect(s.json.rows).toEqual(model.sample(3, { seed: 1 }));
    const q = await get(app.base, `/query?q=${encodeURIComponent('p(home_goals = 0, away_goals = 0)')}`);
    expect(q.json.answer).toEqual(JSON.parse(JSON.stringify(model.query('p(home_goals = 0, away_goals = 0)'))));
    expect((q.json.answer as { value: number }).value).toBeGreaterThan(0.03);
    const info = await get(app.base, '/');
    expect(info.json).toEqual({ model: 'Goals', variables: ['home_goals', 'away_goals'] });
  });

  it('answers bad input with 400 and the message', async () => {
    const r = await get(app.base, `/query?q=${encodeURIComponent('logp(goals = 1)')}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/'goals' is not a variable of this model/);
  });

  it('writes a row outside the support as null (JSON has no -Infinity)', async () => {
    const r = await post(app.base, '/logprob', JSON.stringify({ rows: [{ home_goals: -1 }, { home_goals: 1 }] }));
    expect(r.status).toBe(200);
    const lp = r.json.log_prob as (number | null)[];
    expect(lp[0]).toBeNull();
    expect(lp[1]).toBeLessThan(0);
  });

  it('answers 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    expect((await get(app.base, '/nope')).status).toBe(404);
    const r = await get(app.base, '/logprob');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    const s = await post(app.base, '/sample', '{}');
    expect(s.status).toBe(405);
  });
});
