// A short, bounded load run against the example app on loopback: a few hundred mixed requests
// (good and bad) at concurrency 8. Every answer must be the expected status with a JSON body,
// no connection may fail, and resident memory may not keep growing. (bench/ has no longer run.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssOf, startApp, type App } from './harness.js';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

const rows = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ home_goals: i % 6, away_goals: (i * 7) % 5 })) });
/** Request i of the mix: [path, init, expected status]. */
function request(i: number): [string, RequestInit, number] {
  switch (i % 6) {
    case 0: return ['/logprob', { method: 'POST', body: rows }, 200];
    case 1: return ['/posterior', { method: 'POST', body: rows }, 200];
    case 2: return [`/sample?n=500&seed=${i}`, {}, 200];
    case 3: return [`/query?q=${encodeURIComponent(`p(home_goals = ${i % 5} | away_goals = 1)`)}`, {}, 200];
    case 4: return ['/logprob', { method: 'POST', body: '{"rows": [[1, 2]]}' }, 400];
    default: return ['/sample?n=10000000', {}, 400];
  }
}

async function run(total: number, concurrency: number): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const [path, init, want] = request(i);
      try {
        const r = await fetch(`${app.base}${path}`, init);
        const body = (await r.json()) as Record<string, unknown>;
        if (r.status !== want || (want === 200) === 'error' in body) failures.push(`${i} ${path.slice(0, 40)}: ${r.status} ${JSON.stringify(body).slice(0, 100)}`);
      } catch (e) {
        failures.push(`${i} ${path.slice(0, 40)}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failures;
}

describe('example app under load', () => {
  it('answers 600 mixed requests at concurrency 8 with no errors and bounded memory', async () => {
    expect(await run(120, 8)).toEqual([]); // warm-up: JIT, caches
    const before = rssOf(app.proc.pid!);
    expect(await run(600, 8)).toEqual([]);
    const after = rssOf(app.proc.pid!);
    if (before !== undefined && after !== undefined) expect(after - before).toBeLessThan(64 * 2 ** 20);
    expect(app.exitCode()).toBeUndefined();
    expect(app.stderr()).toBe('');
  });
});
