// Starts the example app (examples/app/server.mjs) on a free loopback port, serving a model fitted
// by the CLI, and speaks raw HTTP to it where fetch cannot (partial requests, odd targets).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../helpers/programs.js';

export const root = new URL('../../', import.meta.url).pathname;

export interface App {
  readonly base: string;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly artifact: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** The exit code once the server has exited; undefined while it runs. */
  exitCode(): number | null | undefined;
  stop(): void;
}

/** Fits examples/football.pmix with the CLI (dist/ must be built) and returns the artifact path. */
export function fitGoals(): string {
  const artifact = join(tempDir(), 'goals.json');
  const fit = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'fit', 'examples/football.pmix', '--out', artifact], { cwd: root, encoding: 'utf8' });
  if (fit.status !== 0) throw new Error(`pmix fit failed: ${fit.stderr}`);
  return artifact;
}

export async function startApp(env: Record<string, string> = {}, artifact = fitGoals()): Promise<App> {
  const proc = spawn(process.execPath, [join(root, 'examples/app/server.mjs'), artifact, '0'], { cwd: root, env: { ...process.env, ...env } });
  let err = '';
  let code: number | null | undefined;
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // A test worker that ends early must not leave the server running.
  const reap = () => proc.kill();
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  const base = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(d.toString());
      if (m) resolve(m[0]);
    });
    proc.on('exit', (c) => {
      code = c;
      reject(new Error(`server exited with ${c}: ${err}`));
    });
  });
  return { base, port: Number(new URL(base).port), proc, artifact, stderr: () => err, exitCode: () => code, stop: () => proc.kill() };
}

export interface RawReply {
  /** Everything the server sent before it closed the connection (or before `waitMs` passed). */
  readonly text: string;
  readonly status: number | undefined;
  /** True when the server closed the connection. */
  readonly closed: boolean;
}

/**
 * Sends `request` verbatim over a fresh connection and reads until the server closes it; with
 * `endAfterWrite`, half-closes our side after writing. Resolves after `waitMs` at the latest.
 */
export function raw(port: number, request: string | Buffer, opts: { waitMs?: number; endAfterWrite?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined, closed });
    };
    const timer = setTimeout(() => finish(false), opts.waitMs ?? 30_000);
    sock.on('data', (d) => (text += d.toString()));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    sock.write(request, () => {
      if (opts.endAfterWrite) sock.end();
    });
  });
}

/** The JSON body of a raw reply (after the headers; the app never answers chunked). */
export function rawJson(reply: RawReply): { error?: string } {
  return JSON.parse(reply.text.slice(reply.text.indexOf('\r\n\r\n') + 4)) as { error?: string };
}

/** Resident memory of a process in bytes, from /proc (Linux); undefined elsewhere. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function post(base: string, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

export async function get(base: string, path: string): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, headers: r.headers };
}
