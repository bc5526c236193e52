// The example app (examples/app/server.mjs) serves a fitted model over HTTP on loopback:
// its answers equal the embedding API's, and bad requests get a 400 with pmix's message.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../api/index.js';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const artifact = join(tempDir(), 'goals.json');
let base = '';
let server: ReturnType<typeof spawn> | undefined;

beforeAll(async () => {
  const fit = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'fit', 'examples/football.pmix', '--out', artifact], { cwd: root, encoding: 'utf8' });
  expect(fit.status).toBe(0);
  server = spawn(process.execPath, [join(root, 'examples/app/server.mjs'), artifact, '0'], { cwd: root });
  base = await new Promise<string>((resolve, reject) => {
    server!.stdout!.on('data', (d: Buffer) => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(d.toString());
      if (m) resolve(m[0]);
    });
    server!.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
});

afterAll(() => server?.kill());

describe('example app', () => {
  it('serves log-densities equal to the API, samples and queries', async () => {
    const rows = [{ home_goals: 2, away_goals: 1 }, { home_goals: 0 }];
    const r = await fetch(`${base}/logprob`, { method: 'POST', body: JSON.stringify({ rows }) });
    expect(r.status).toBe(200);
    const { log_prob } = (await r.json()) as { log_prob: number[] };
    expect(log_prob).toEqual(Array.from(load(readFileSync(artifact, 'utf8')).logProb(rows)));
    const s = (await (await fetch(`${base}/sample?n=3&seed=1`)).json()) as { rows: unknown[] };
    expect(s.rows).toHaveLength(3);
    const q = (await (await fetch(`${base}/query?q=${encodeURIComponent('p(home_goals = 0, away_goals = 0)')}`)).json()) as { answer: { value: number } };
    expect(q.answer.value).toBeGreaterThan(0.03);
  });

  it('answers bad input with 400 and the message', async () => {
    const r = await fetch(`${base}/query?q=${encodeURIComponent('logp(goals = 1)')}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/'goals' is not a variable of this model/);
  });
});
