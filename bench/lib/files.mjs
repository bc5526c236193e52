// Raw little-endian arrays (float64 or float32) and JSON side files in the case's temp
// directory: what the pmix side writes, the Python peer reads back with numpy.fromfile.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeArray(dir, name, arr) {
  writeFileSync(join(dir, name), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
}

export function writeJson(dir, name, value) {
  writeFileSync(join(dir, name), JSON.stringify(value));
}

export function readJson(dir, name) {
  return JSON.parse(readFileSync(join(dir, name), 'utf8'));
}
