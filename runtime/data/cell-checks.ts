// Checks shared by the CSV loader (csv.ts) and the streaming reader (csv-stream.ts): numbers
// are decimal only, text is valid UTF-8, header names are distinct, and echoed cells are clipped.
import { clipText } from '../../language/index.js';

/** A UTF-8 decoder that throws on bytes that are not UTF-8 (the default one replaces them). */
export const FATAL = new TextDecoder('utf-8', { fatal: true });

/** A cell as messages quote it: at most 60 characters of it. */
export function quoted(cell: string): string {
  return `'${clipText(cell)}'`;
}

/**
 * Whether a cell is a hexadecimal, octal or binary literal, which Number() reads (0x10 = 16,
 * 0b101 = 5) but a data file never means: such a cell is refused, not silently converted.
 */
export function isNonDecimal(cell: string): boolean {
  return /^[+-]?0[xob]/i.test(cell);
}

export function nonDecimalMessage(cell: string, kind: string): string {
  return `${quoted(cell)} is not a decimal number (${kind} column): hexadecimal, octal and binary numbers are not read`;
}

/** The message for a cell whose bytes are not UTF-8 (decoded with U+FFFD replacements). */
export function invalidUtf8Message(cell: string): string {
  return `${quoted(cell)} is not valid UTF-8 text (\ufffd marks the bad bytes; is the file Latin-1 or Windows-1252? save it as UTF-8)`;
}

/** The first pair of header fields with the same non-empty name (1-based column numbers), if any. */
export function duplicateHeader(header: readonly string[]): { name: string; first: number; second: number } | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    const name = header[i]!;
    if (name === '') continue;
    const j = seen.get(name);
    if (j !== undefined) return { name, first: j + 1, second: i + 1 };
    seen.set(name, i);
  }
  return undefined;
}

/** Whether bytes [from, to) are valid UTF-8 (a fatal decoder throws on the first bad sequence). */
export function isUtf8(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  let ascii = true;
  for (let i = from; i < to; i++) {
    if (bytes[i]! >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return true;
  try {
    FATAL.decode(bytes.subarray(from, to));
    return true;
  } catch {
    return false;
  }
}
