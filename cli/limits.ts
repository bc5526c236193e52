// The memory limit of fits: --max-memory SIZE, else PMIX_MAX_MEMORY, else half the machine's memory.
import { totalmem } from 'node:os';
import { parseBytes } from '../compiler/cost.js';
import { EXIT_USAGE, Exit, type Output } from './io.js';

export function memoryLimit(option: string | undefined, io: Output): number {
  const text = option ?? process.env.PMIX_MAX_MEMORY;
  if (text === undefined || text === '') return Math.floor(totalmem() / 2);
  const v = parseBytes(text);
  if (v === undefined) {
    io.err(`error: ${option !== undefined ? '--max-memory' : 'PMIX_MAX_MEMORY'} expects a size such as 8GB, 512MiB or 1e9, got '${text}'`);
    throw new Exit(EXIT_USAGE);
  }
  return v;
}
