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

/**
 * Where a quote opens a field that is never closed: the index of the last quote (double quotes
 * read as toggles, as a doubled "" inside a field is) after which the text stays inside quotes,
 * or -1. csv-parse names only the line where the text ends; this finds the stray quote.
 */
export function unclosedQuoteInText(text: string): number {
  let open = -1;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) open = open < 0 ? i : -1;
  return open;
}

/** unclosedQuoteInText over bytes [from, to). */
export function unclosedQuoteInBytes(bytes: Uint8Array, from: number, to: number): number {
  let open = -1;
  for (let i = bytes.indexOf(34, from); i >= 0 && i < to; i = bytes.indexOf(34, i + 1)) open = open < 0 ? i : -1;
  return open;
}

/** Line ends in text before `pos`, as csv-parse counts lines (LF, CRLF and a lone CR once each). */
export function linesBefore(text: string, pos: number): number {
  let n = 0;
  for (let i = 0; i < pos; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

export function unclosedQuoteMessage(line: number): string {
  return `Quote Not Closed: a quote opened on line ${line} is never closed; is there a stray '"'?`;
}
