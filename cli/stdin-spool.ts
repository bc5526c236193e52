// `--data -`: the rows come on standard input. They are copied, chunk by chunk, to a private
// temporary file that the CSV readers then stream (so several passes, and the initialization's
// first rows, read the same data, and memory stays bounded however much arrives); the file is
// removed when the process exits.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHUNK = 1 << 20;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Copies stdin to a temporary CSV file and returns its path. */
export function spoolStdin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pmix-stdin-'));
  const path = join(dir, 'stdin.csv');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = openSync(path, 'w', 0o600);
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    for (;;) {
      let got: number;
      try {
        got = readSync(0, buf, 0, CHUNK, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // A non-blocking pipe with nothing yet: wait a little rather than spin.
          Atomics.wait(PAUSE, 0, 0, 5);
          continue;
        }
        if (code === 'EOF') break;
        throw e;
      }
      if (got === 0) break;
      writeSync(out, buf, 0, got);
    }
  } finally {
    closeSync(out);
  }
  return path;
}
