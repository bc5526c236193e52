// Every bad request to the example app gets a 4xx with a short message that names the place
// (the row, the key, the parameter), never a 5xx and never a crash; echoed input is clipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, raw, rawJson, startApp, type App } from './harness.js';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

/** The server still answers, and has not exited or written a stack trace. */
async function alive(): Promise<void> {
  expect(app.exitCode()).toBeUndefined();
  expect((await get(app.base, '/')).status).toBe(200);
}

describe('example app: request targets', () => {
  it('answers the path // with 404 and keeps serving (it used to throw outside the handler)', async () => {
    const r = await raw(app.port, 'GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(404);
    expect(rawJson(r).error).toMatch(/no route GET \/\//);
    await alive();
  });

  it('answers unparsable targets with 400', async () => {
    for (const target of ['*', 'http://[x/', '//[::1']) {
      const r = await raw(app.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(r.status, target).toBeGreaterThanOrEqual(400);
      expect(r.status, target).toBeLessThan(500);
    }
    await alive();
  });

  it('clips a long unknown path in the message', async () => {
    const r = await get(app.base, `/${'a'.repeat(5000)}`);
    expect(r.status).toBe(404);
    expect((r.json.error as string).length).toBeLessThan(300);
    expect(r.json.error).toMatch(/more characters/);
  });
});

describe('example app: bodies', () => {
  const cases: [string, RegExp][] = [
    ['null', /body must be a JSON object/],
    ['[]', /body must be a JSON object/],
    ['"rows"', /body must be a JSON object/],
    ['{', /not valid JSON/],
    ['', /not valid JSON/],
    ['{}', /missing key 'rows'/],
    ['{"rows": [], "extra": 1}', /unknown key 'extra'/],
    ['{"rows": {"home_goals": [1, 2]}}', /'rows' must be an array/],
    ['{"rows": "x"}', /'rows' must be an array/],
    ['{"rows": [[1, 2]]}', /row 1 must be an object.*got an array/],
    ['{"rows": [{"home_goals": 1}, 1]}', /row 2 must be an object.*got a number/],
    ['{"rows": [{"home_goals": 1}, null]}', /row 2 must be an object.*got null/],
    ['{"rows": [{"hme_goals": 1}]}', /row 1: unknown column 'hme_goals'.*home_goals, away_goals/],
    ['{"rows": [{"home_goals": [1]}]}', /row 1, column 'home_goals': .*number, string, boolean or null/],
    ['{"rows": [{"home_goals": {"a": 1}}]}', /row 1, column 'home_goals': .*number, string, boolean or null/],
    ['{"rows": [{"home_goals": 1.5}]}', /row 1, column 'home_goals': 1.5 is not an integer/],
    ['{"rows": [{"home_goals": "a"}]}', /row 1, column 'home_goals'/],
  ];
  for (const [body, message] of cases) {
    it(`answers ${body.slice(0, 40) || '(empty)'} with 400 on /logprob and /posterior`, async () => {
      for (const route of ['/logprob', '/posterior']) {
        const r = await post(app.base, route, body);
        expect(r.status, route).toBe(400);
        expect(r.json.error, route).toMatch(message);
      }
    });
  }

  it('clips a long column name and a long value in the message', async () => {
    const key = 'k'.repeat(100_000);
    const r = await post(app.base, '/logprob', JSON.stringify({ rows: [{ [key]: 1 }] }));
    expect(r.status).toBe(400);
    expect((r.json.error as string).length).toBeLessThan(600);
    const v = await post(app.base, '/logprob', JSON.stringify({ rows: [{ home_goals: 'v'.repeat(100_000) }] }));
    expect(v.status).toBe(400);
    expect((v.json.error as string).length).toBeLessThan(600);
  });

  it('refuses more rows than the cap', async () => {
    const rows = Array.from({ length: 10_001 }, () => ({ home_goals: 1 }));
    const r = await post(app.base, '/logprob', JSON.stringify({ rows }));
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/at most 10,000 rows/);
  });

  it('parses a deeply nested body without overflowing', async () => {
    const r = await post(app.base, '/logprob', `{"rows": [{"home_goals": ${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`);
    expect(r.status).toBe(400);
    await alive();
  });
});

describe('example app: parameters', () => {
  const cases: [string, RegExp][] = [
    ['/sample?n=10000000', /n must be a whole number from 1 to 10,000, got 10000000/],
    ['/sample?n=0', /n must be a whole number from 1 to 10,000/],
    ['/sample?n=2.5', /n must be a whole number/],
    ['/sample?n=abc', /n must be a whole number.*got abc/],
    ['/sample?n=', /n must be a whole number/],
    ['/sample?n=1e3', /n must be a whole number/],
    ['/sample?n=3&seed=x', /seed must be a whole number/],
    ['/sample?n=3&count=2', /unknown parameter 'count'/],
    ['/query', /missing parameter 'q'/],
    [`/query?q=${encodeURIComponent('sample(10000000)')}`, /draw samples with GET \/sample/],
    [`/query?q=${encodeURIComponent('sample /* c */ (10000000, seed = 1)')}`, /draw samples with GET \/sample/],
    ['/query?q=p(home_goals)&x=1', /unknown parameter 'x'/],
    ['/?n=1', /unknown parameter 'n'/],
  ];
  for (const [path, message] of cases) {
    it(`answers ${path} with 400`, async () => {
      const r = await get(app.base, path);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(message);
    });
  }

  it('answers a 4,000-term query with 400 (it overflowed the stack: 500), with a clipped echo', async () => {
    const q = `p(home_goals = ${Array(4000).fill('1').join('+')})`;
    const r = await get(app.base, `/query?q=${encodeURIComponent(q)}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/query is too long: 8,015 characters \(at most 2,000\)/);
    expect((r.json.error as string).length).toBeLessThan(300);
    await alive();
  });

  it('clips the query text that pmix echoes in its message', async () => {
    const q = `p(home_goals = 1${' '.repeat(1500)} zz)`;
    const r = await get(app.base, `/query?q=${encodeURIComponent(q)}`);
    expect(r.status).toBe(400);
    expect((r.json.error as string).split('\n').every((line) => line.length <= 250)).toBe(true);
  });
});

describe('example app: queries past the length cap', () => {
  let wide: App;
  beforeAll(async () => {
    wide = await startApp({ PMIX_APP_MAX_QUERY_CHARS: '100000' }, app.artifact);
  });
  afterAll(() => wide?.stop());

  it('answers a query that overflowed the evaluator (500) with 400 or its value, and keeps serving', async () => {
    const q = `p(home_goals = ${Array(6000).fill('1').join('*')})`; // '*' stays one character in the URL
    const r = await get(wide.base, `/query?q=${encodeURIComponent(q)}`);
    // 400 while the constant evaluator recurses; 200 once it evaluates iteratively. Never 500.
    expect([200, 400]).toContain(r.status);
    if (r.status === 400) expect(r.json.error).toMatch(/nested|deep/i);
    expect(wide.exitCode()).toBeUndefined();
    expect((await get(wide.base, '/')).status).toBe(200);
  });
});
