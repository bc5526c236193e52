// Byte-level scanning of CSV chunks for the streaming reader (csv-reader.ts): record boundaries
// outside quotes, line counts as csv-parse counts them, ASCII/UTF-8 text of a field, and a correctly
// rounded fast path for plain decimal numbers.
import { clipText } from '../../language/index.js';

/**
 * Index just past the last line end outside double quotes in bytes [0, len) (0 when none): a
 * newline (byte 10), or a lone carriage return (old Mac files) that is not the last byte read
 * (a newline may follow it in the next read).
 */
export function recordBoundary(bytes: Uint8Array, len: number): number {
  const q = bytes.indexOf(34);
  if (q < 0 || q >= len) {
    // (lastIndexOf counts a negative start from the end of the whole buffer, past len.)
    const cr = len >= 2 ? bytes.lastIndexOf(13, len - 2) : -1;
    return Math.max(bytes.lastIndexOf(10, len - 1), cr) + 1;
  }
  let inQuotes = false;
  let last = 0;
  for (let i = 0; i < len; i++) {
    const c = bytes[i]!;
    if (c === 34) inQuotes = !inQuotes;
    else if (!inQuotes && (c === 10 || (c === 13 && i + 1 < len && bytes[i + 1] !== 10))) last = i + 1;
  }
  return last;
}

/** Line ends in bytes [from, to), counted as csv-parse counts lines: LF, CRLF and a lone CR each once. */
export function countLines(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10, from); i >= 0 && i < to; i = bytes.indexOf(10, i + 1)) n++;
  for (let i = bytes.indexOf(13, from); i >= 0 && i < to; i = bytes.indexOf(13, i + 1)) if (i + 1 >= to || bytes[i + 1] !== 10) n++;
  return n;
}

/** csv-parse's message with its line numbers (counted from the text it was given) made file lines. */
export function parseErrorMessage(e: unknown, lineBase: number): string {
  return clipText((e as Error).message.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + lineBase}`), 300);
}

export function mib(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** The text of bytes [a, b): ASCII directly, anything else through a UTF-8 decoder. */
export function textOf(bytes: Uint8Array, a: number, b: number, dec: TextDecoder): string {
  let ascii = true;
  for (let k = a; k < b; k++) if (bytes[k]! >= 128) ascii = false;
  if (!ascii || b - a > 256) return dec.decode(bytes.subarray(a, b)); // throws on bad UTF-8 when dec is fatal
  let out = '';
  for (let k = a; k < b; k++) out += String.fromCharCode(bytes[k]!);
  return out;
}

export const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The value of text[s, e) when it is a plain decimal number (sign, digits, point, exponent)
 * with at most 15 significant digits and a small power of ten, else NaN (the caller then
 * uses Number()). Exact: the digits and the power of ten are exact doubles and one division
 * or multiplication rounds correctly, so the result equals Number(text.slice(s, e)).
 */
export function fastNumber(text: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  let c = text[i]!;
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let sig = 0;
  let digits = 0;
  let scale = 0;
  for (; i < e; i++) {
    c = text[i]! - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    if (mant > 0) sig++;
    digits++;
  }
  if (i < e && text[i]! === 46) {
    for (i++; i < e; i++) {
      c = text[i]! - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      if (mant > 0) sig++;
      digits++;
      scale--;
    }
  }
  if (digits === 0 || sig > 15) return NaN;
  if (i < e) {
    c = text[i]!;
    if (c !== 101 && c !== 69) return NaN;
    i++;
    let eneg = false;
    c = text[i]!;
    if (c === 45 || c === 43) {
      eneg = c === 45;
      i++;
    }
    let ex = 0;
    let ed = 0;
    for (; i < e; i++) {
      c = text[i]! - 48;
      if (c < 0 || c > 9 || ed > 4) return NaN;
      ex = ex * 10 + c;
      ed++;
    }
    if (ed === 0) return NaN;
    scale += eneg ? -ex : ex;
  }
  let v: number;
  if (mant === 0) v = 0;
  else if (scale >= 0 && scale <= 22) v = mant * POW10[scale]!;
  else if (scale < 0 && scale >= -22) v = mant / POW10[-scale]!;
  else return NaN;
  return neg ? -v : v;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11;
}

/** A carriage return not followed by a newline (old Mac line ends): left to csv-parse. */
export function hasLoneCR(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = bytes.indexOf(13, from); i >= 0 && i < to; i = bytes.indexOf(13, i + 1)) if (i + 1 >= to || bytes[i + 1] !== 10) return true;
  return false;
}
