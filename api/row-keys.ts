// The API's plain objects checked against the model's variables before anything is computed:
// a key that is not a variable is an error naming it (with "did you mean"), and so is a NaN or
// infinite value; null and undefined mean missing. Without this a misspelled key was silently
// treated as missing (issue 14: logProb([{ flipper_lenght_mm: 190 }]) answered the marginal).
import type { SpecName, SpecValue } from '../compiler/query-spec.js';
import type { IRVariable } from '../ir/types.js';
import type { Diagnostic } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import type { Cell, Rows } from '../runtime/data/rows.js';
import { PmixInputError } from './errors.js';

const MAX_REPORTED = 10;

/** Throws PmixInputError for unknown keys and NaN/infinite values in rows (objects or columns). */
export function checkRowKeys(rows: Rows, vars: readonly IRVariable[], model: string): void {
  const names = vars.map((v) => v.name);
  const problems: { d: Diagnostic; key: string; row?: number }[] = [];
  const unknown = new Set<string>();
  const look = (key: string, value: Cell, row: number | undefined): void => {
    if (problems.length >= MAX_REPORTED) return;
    const where = row === undefined ? `key '${key}'` : `row ${row + 1}, key '${key}'`;
    if (!names.includes(key)) {
      if (unknown.has(key)) return;
      unknown.add(key);
      problems.push({ d: unknownKey(key, names, model, where), key, ...(row === undefined ? {} : { row }) });
      return;
    }
    const bad = badNumber(value);
    if (bad) problems.push({ d: error(`${where}: ${bad} is not a value a model can take (null or undefined means missing)`), key, ...(row === undefined ? {} : { row }) });
  };
  if (Array.isArray(rows)) {
    (rows as readonly Readonly<Record<string, Cell>>[]).forEach((r, i) => {
      if (typeof r !== 'object' || r === null) return; // rowsToDataset reports these
      for (const [k, v] of Object.entries(r)) look(k, v, i);
    });
  } else if (typeof rows === 'object' && rows !== null) {
    for (const [k, col] of Object.entries(rows)) {
      if (!names.includes(k)) look(k, null, undefined);
      else if (Array.isArray(col)) col.forEach((v, i) => look(k, v as Cell, i));
    }
  }
  if (problems.length) {
    const first = problems[0]!;
    throw new PmixInputError(problems.map((p) => p.d), new Map(), { key: first.key, ...(first.row === undefined ? {} : { row: first.row }) });
  }
}

/** `{ x: 1, kind: "a" }` as query assignments (null/undefined left out: missing); throws on unknown keys and NaN. */
export function specValues(values: Readonly<Record<string, Cell>>, vars: readonly IRVariable[], model: string, what: string): SpecValue[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new PmixInputError([error(`${what} must be an object of variable values`)]);
  const names = vars.map((v) => v.name);
  const out: SpecValue[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (!names.includes(k)) throw new PmixInputError([unknownKey(k, names, model, `${what}: key '${k}'`)], new Map(), { key: k });
    if (v === null || v === undefined) continue;
    const bad = badNumber(v);
    if (bad) throw new PmixInputError([error(`${what}: key '${k}': ${bad} is not a value a model can take (null or undefined means missing)`)], new Map(), { key: k });
    out.push({ name: k, value: v });
  }
  return out;
}

/** Variable names as query targets; throws on unknown ones. */
export function specTargets(target: readonly string[], vars: readonly IRVariable[], model: string, what: string): SpecName[] {
  if (!Array.isArray(target) || target.some((t) => typeof t !== 'string')) throw new PmixInputError([error(`${what}: the target must be an array of variable names`)]);
  const names = vars.map((v) => v.name);
  const bad = target.find((t) => !names.includes(t));
  if (bad !== undefined) throw new PmixInputError([unknownKey(bad, names, model, `${what}: '${bad}'`)], new Map(), { key: bad });
  return target.map((name) => ({ name }));
}

function badNumber(v: unknown): string | undefined {
  if (typeof v !== 'number') return undefined;
  if (Number.isNaN(v)) return 'NaN';
  return Number.isFinite(v) ? undefined : String(v);
}

function unknownKey(key: string, names: readonly string[], model: string, where: string): Diagnostic {
  return error(`${where} is not a variable of model '${model}' (its variables: ${names.join(', ')})`, suggestionHint(key, names));
}

function error(message: string, hint?: string): Diagnostic {
  return { severity: 'error', code: 'bad-input', message, file: '<api>', ...(hint ? { hint } : {}) };
}
