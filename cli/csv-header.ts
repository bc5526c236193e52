// The column names of a CSV file's header row (first line; a byte-order mark and quotes
// stripped), read without loading the file; [] when it cannot be read (loadCsv then says why).
import { closeSync, openSync, readSync } from 'node:fs';

export function csvHeader(path: string): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(1 << 16);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/)[0] ?? '';
    return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
