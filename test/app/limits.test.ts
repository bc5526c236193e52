// The example app's limits: bodies over the size limit get 413 without being read into memory,
// requests that stall (partial headers or body) are answered 408 and closed.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, raw, rssOf, startApp, type App } from './harness.js';

let app: App;
beforeAll(async () => {
  app = await startApp({ PMIX_APP_REQUEST_TIMEOUT_MS: '1000', PMIX_APP_HEADERS_TIMEOUT_MS: '500' });
});
afterAll(() => app?.stop());

async function alive(): Promise<void> {
  expect(app.exitCode()).toBeUndefined();
  expect((await get(app.base, '/')).status).toBe(200);
}

describe('example app: body size', () => {
  it('answers a declared body over 1 MiB with 413 and keeps serving', async () => {
    const rows = Array.from({ length: 80_000 }, (_, i) => ({ home_goals: i % 7 }));
    const body = JSON.stringify({ rows });
    expect(body.length).toBeGreaterThan(1 << 20);
    const r = await post(app.base, '/logprob', body);
    expect(r.status).toBe(413);
    expect(r.json.error).toMatch(/body is larger than 1,048,576 bytes/);
    await alive();
  });

  it('stops reading a chunked body past the limit (a 600 MB body crashed it)', async () => {
    const before = rssOf(app.proc.pid!);
    // 64 MiB offered in 64 KiB chunks; the server must answer 413 and close long before the end.
    const chunk = Buffer.alloc(1 << 16, 0x20);
    const head = 'POST /logprob HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const parts = [Buffer.from(head)];
    for (let i = 0; i < 1024; i++) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
    const r = await raw(app.port, Buffer.concat(parts));
    expect(r.status).toBe(413);
    expect(r.closed).toBe(true);
    const after = rssOf(app.proc.pid!);
    if (before !== undefined && after !== undefined) expect(after - before).toBeLessThan(48 * 2 ** 20);
    await alive();
  });
});

describe('example app: Expect: 100-continue', () => {
  it('answers 413 at once instead of inviting a body over the limit', async () => {
    const r = await raw(app.port, `POST /logprob HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${2 ** 21}\r\n\r\n`);
    expect(r.status).toBe(413);
    expect(r.text).not.toMatch(/100 Continue/);
  });

  it('invites a body within the limit and answers it', async () => {
    const body = JSON.stringify({ rows: [{ home_goals: 1 }] });
    const head = `POST /logprob HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await new Promise<string>((resolve) => {
      const sock = connect(app.port, '127.0.0.1');
      let text = '';
      sock.on('data', (d) => {
        if (!text && /^HTTP\/1\.1 100 Continue/.test(d.toString())) sock.write(body);
        text += d.toString();
      });
      sock.on('close', () => resolve(text));
      sock.write(head);
    });
    expect(r).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(r).toMatch(/"log_prob":\[-[0-9.]+\]/);
  });
});

describe('example app: stalled requests', () => {
  it('answers a partial body with 408 and closes the connection (it held it 130 s+)', async () => {
    const r = await raw(app.port, 'POST /logprob HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"rows": [');
    expect(r.closed).toBe(true);
    expect(r.status).toBe(408);
    await alive();
  });

  it('answers partial headers with 408 and closes the connection', async () => {
    const r = await raw(app.port, 'POST /logprob HTTP/1.1\r\nHost: x\r\n');
    expect(r.closed).toBe(true);
    expect(r.status).toBe(408);
    await alive();
  });
});

describe('example app: clients that go away', () => {
  it('forgets a request whose client closes mid-body, without logging an error', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await raw(app.port, 'POST /logprob HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"rows": [', { waitMs: 50 });
      expect(r.status).toBeUndefined(); // we hung up first
    }
    await alive();
    expect(app.stderr()).toBe('');
  });
});

describe('example app: configuration', () => {
  it('refuses a limit that is not a positive whole number, naming the variable', async () => {
    await expect(startApp({ PMIX_APP_MAX_BODY_BYTES: '1MB' }, app.artifact)).rejects.toThrow(/PMIX_APP_MAX_BODY_BYTES must be a whole number of at least 1, got '1MB'/);
  });

  it('refuses a missing artifact with one line on stderr and exit 2, no stack trace', async () => {
    const err = await startApp({}, '/nonexistent/model.json').then(() => undefined, (e: Error) => e.message);
    expect(err).toMatch(/server exited with 2: \/nonexistent\/model\.json: ENOENT/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('example app: shutdown', () => {
  it('exits 0 on SIGTERM with a keep-alive connection and a stalled request open', async () => {
    const own = await startApp({ PMIX_APP_REQUEST_TIMEOUT_MS: '1000', PMIX_APP_HEADERS_TIMEOUT_MS: '500' }, app.artifact);
    const exited = new Promise<number | null>((resolve) => own.proc.once('exit', (code) => resolve(code)));
    const idle = raw(own.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const stalled = raw(own.port, 'POST /logprob HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 200)); // let both reach the server
    own.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await idle).status).toBe(200);
    expect((await stalled).closed).toBe(true);
  });
});
