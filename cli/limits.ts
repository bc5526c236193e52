// The memory limit of fits: --max-memory SIZE, else PMIX_MAX_MEMORY, else half the machine's memory;
// their time limit (exact GPs estimate theirs): --max-time SECONDS, else PMIX_MAX_TIME, else an hour (runtime/gp/cost.ts).
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

/** Seconds from --max-time or PMIX_MAX_TIME ('90', '90s', '10m', '2h'; 'none' for no limit); undefined: the default. */
export function timeLimit(option: string | undefined, io: Output): number | undefined {
  const text = option ?? process.env.PMIX_MAX_TIME;
  if (text === undefined || text === '') return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === 'inf' || t === 'infinity') return Infinity;
  const m = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(s|m|min|h)?$/.exec(t);
  const v = m ? Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' || m[2] === 'min' ? 60 : 1) : NaN;
  if (!(v > 0) || !Number.isFinite(v)) {
    io.err(`error: ${option !== undefined ? '--max-time' : 'PMIX_MAX_TIME'} expects seconds such as 600, 90s, 10m or 2h (or none), got '${text.slice(0, 40)}'`);
    throw new Exit(EXIT_USAGE);
  }
  return v;
}
