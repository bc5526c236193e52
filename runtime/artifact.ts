// The portable artifact of a fitted model: one JSON file with the format version, the IR
// (structure + parameters + variables), and provenance. Loading parses it as data and
// validates every field, naming the one that is wrong; a newer format is refused.
import { IR_VERSION, type IRGraph, type IRNode } from '../ir/types.js';
import type { FitSettings } from '../compiler/program.js';
import { getDistribution } from '../stdlib/distributions/index.js';
import { PmixError } from './errors.js';
import { checkGraph } from './ir-check.js';
import { checkGpNode } from './gp/artifact-check.js';
import { sha256Hex } from './sha256.js';
import { hostPath } from '../platform/host.js';
import { PMIX_VERSION } from '../platform/version.js';

export const ARTIFACT_FORMAT = 'pmix-model';
export const ARTIFACT_VERSION = 1;
export { PMIX_VERSION };

export interface Provenance {
  readonly source_file?: string;
  readonly source_sha256?: string;
  readonly pmix_version: string;
  readonly created: string;
  readonly data?: { readonly name: string; readonly path: string; readonly rows: number };
  readonly fit?: FitSettings;
  readonly mean_log_likelihood?: number;
  readonly iterations?: number;
  readonly converged?: boolean;
  readonly bic?: number;
  readonly aic?: number;
  /** A fit stopped by a signal (Ctrl-C): the best parameters found before it. */
  readonly interrupted?: boolean;
  /** Saved during a fit still running (pmix fit --checkpoint): where it stood. */
  readonly checkpoint?: { readonly restart: number; readonly iteration: number };
  /** A warm-started fit (pmix fit --from): the artifact or model its starting parameters came from. */
  readonly continued_from?: string;
}

export interface Artifact {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly ir: IRGraph;
  readonly provenance: Provenance;
}

export function sha256(text: string): string {
  return sha256Hex(text);
}

export function makeArtifact(model: string, ir: IRGraph, provenance: Omit<Provenance, 'pmix_version' | 'created'>): Artifact {
  return { format: ARTIFACT_FORMAT, version: ARTIFACT_VERSION, model, ir, provenance: { ...provenance, pmix_version: PMIX_VERSION, created: new Date().toISOString() } };
}

/**
 * The artifact as it is written to `artifactPath`: the source and data paths relative to the
 * artifact's directory (so they do not depend on the working directory of the run, and follow
 * the files when the directory moves), and `created` replaced when given (reproducible
 * artifacts: two identical fits give identical bytes).
 */
export function portableArtifact(a: Artifact, opts: { readonly artifactPath: string; readonly created?: string }): Artifact {
  const path = hostPath();
  const base = path.dirname(path.resolve(opts.artifactPath));
  const rel = (p: string): string => path.relative(base, path.resolve(p)).split(path.sep).join('/') || '.';
  const p = a.provenance;
  const provenance: Provenance = {
    ...p,
    ...(p.source_file !== undefined ? { source_file: rel(p.source_file) } : {}),
    ...(p.data ? { data: { ...p.data, path: rel(p.data.path) } } : {}),
    ...(opts.created !== undefined ? { created: opts.created } : {}),
  };
  return { ...a, provenance };
}

export function serializeArtifact(a: Artifact): string {
  return JSON.stringify(a, null, 1) + '\n';
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses and validates an artifact's JSON and the structure of its graph; throws PmixError naming
 * the bad field. Loading goes through session/load-artifact.ts, which adds the family check.
 */
export function parseArtifact(text: string, where = 'artifact', checkFamily?: (graph: IRGraph, fail: (field: string, message: string) => never) => void): Artifact {
  let raw: unknown;
  try {
    raw = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`forbidden key '${key}'`);
      return value;
    });
  } catch (e) {
    throw new PmixError(`${where} is not valid JSON: ${(e as Error).message}`, 'bad-artifact');
  }
  const v = new Validator(where);
  // Checked before anything walks it: passes copy graphs recursively (immer), and junk nested
  // thousands deep in a field no check reads would overflow the stack there.
  if (nestingDepth(raw) > MAX_NESTING) v.fail('', `the JSON nests deeper than ${MAX_NESTING} levels; a pmix model never does`);
  const a = v.object(raw, '');
  if (a.format !== ARTIFACT_FORMAT) v.fail('format', `expected "${ARTIFACT_FORMAT}" (is this a pmix model file?)`);
  const version = v.int(a.version, 'version');
  if (version > ARTIFACT_VERSION) {
    throw new PmixError(`${where} has format version ${version}, written by a newer pmix; this pmix (${PMIX_VERSION}) reads version ${ARTIFACT_VERSION}`, 'bad-artifact', 'upgrade pmix');
  }
  if (version < 1) v.fail('version', `must be >= 1`);
  v.string(a.model, 'model');
  const graph = validateGraph(v, a.ir);
  const fail = (field: string, message: string): never => v.fail(field, message);
  // The family registry's check (session/load-artifact.ts): the family is known and matches the nodes.
  checkFamily?.(graph, fail);
  checkGraph(graph, fail);
  const prov = v.object(a.provenance, 'provenance');
  v.string(prov.pmix_version, 'provenance.pmix_version');
  // Every field has been checked above, so the cast is safe.
  return raw as Artifact;
}

function validateGraph(v: Validator, raw: unknown): IRGraph {
  const g = v.object(raw, 'ir');
  const version = v.int(g.version, 'ir.version');
  if (version > IR_VERSION) v.fail('ir.version', `IR version ${version} is newer than this pmix reads (${IR_VERSION})`);
  v.string(g.family, 'ir.family');
  const vars = v.array(g.vars, 'ir.vars');
  vars.forEach((x, i) => {
    const o = v.object(x, `ir.vars[${i}]`);
    v.string(o.name, `ir.vars[${i}].name`);
    const t = v.object(o.type, `ir.vars[${i}].type`);
    const kind = v.string(t.kind, `ir.vars[${i}].type.kind`);
    if (!['real', 'int', 'bool', 'categorical'].includes(kind)) v.fail(`ir.vars[${i}].type.kind`, `unknown type '${kind}'`);
    if (kind === 'categorical') v.array(t.levels, `ir.vars[${i}].type.levels`).forEach((l, j) => v.string(l, `ir.vars[${i}].type.levels[${j}]`));
  });
  const params = v.object(g.params, 'ir.params');
  for (const [name, p] of Object.entries(params)) {
    const at = `ir.params['${name}']`;
    const o = v.object(p, at);
    if (o.name !== name) v.fail(`${at}.name`, `must equal its key '${name}'`);
    const shape = v.array(o.shape, `${at}.shape`).map((s, i) => v.int(s, `${at}.shape[${i}]`));
    const values = v.array(o.value, `${at}.value`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) v.fail(`${at}.value`, `expected ${size} numbers for shape [${shape.join(', ')}], got ${values.length}`);
    values.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) v.fail(`${at}.value[${i}]`, `expected a finite number`);
    });
    v.string(v.object(o.param, `${at}.param`).kind, `${at}.param.kind`);
    if (typeof o.fixed !== 'boolean') v.fail(`${at}.fixed`, 'expected true or false');
    checkSource(v, o.source, `${at}.source`);
  }
  const nodes = v.array(g.nodes, 'ir.nodes');
  const seen = new Set<string>();
  nodes.forEach((x, i) => {
    const at = `ir.nodes[${i}]`;
    const o = v.object(x, at);
    const id = v.string(o.id, `${at}.id`);
    const kind = v.string(o.kind, `${at}.kind`);
    v.int(o.units, `${at}.units`);
    checkSource(v, o.source, `${at}.source`);
    v.array(o.scope, `${at}.scope`).forEach((s, j) => {
      const k = v.int(s, `${at}.scope[${j}]`);
      if (k < 0 || k >= vars.length) v.fail(`${at}.scope[${j}]`, `variable index ${k} out of range`);
    });
    const refParam = (name: unknown, field: string): void => {
      const nm = v.string(name, `${at}.${field}`);
      if (!(nm in params)) v.fail(`${at}.${field}`, `refers to missing parameter '${nm}'`);
    };
    const refChildren = (): void =>
      v.array(o.children, `${at}.children`).forEach((c, j) => {
        if (!seen.has(v.string(c, `${at}.children[${j}]`))) v.fail(`${at}.children[${j}]`, `'${String(c)}' is not an earlier node`);
      });
    switch (kind as IRNode['kind']) {
      case 'input': {
        const dist = v.string(o.dist, `${at}.dist`);
        if (!getDistribution(dist)) v.fail(`${at}.dist`, `unknown distribution '${dist}'`);
        for (const [role, nm] of Object.entries(v.object(o.params, `${at}.params`))) refParam(nm, `params.${role}`);
        if (o.shared !== undefined) v.array(o.shared, `${at}.shared`).forEach((r, j) => v.string(r, `${at}.shared[${j}]`));
        break;
      }
      case 'mixing':
      case 'sum':
        refParam(o.weights, 'weights');
        refChildren();
        break;
      case 'product':
        refChildren();
        break;
      case 'integral':
        if (!seen.has(v.string(o.child, `${at}.child`))) v.fail(`${at}.child`, `'${String(o.child)}' is not an earlier node`);
        if (o.weights !== undefined) refParam(o.weights, 'weights');
        break;
      case 'gp':
        checkGpNode(o, at, params, vars.length, (f, m) => v.fail(f, m));
        break;
      case 'family': {
        // A node its family evaluates: the family's name, parameters by role, plain options (its checkGraph checks the rest).
        v.string(o.family, `${at}.family`);
        for (const [role, nm] of Object.entries(v.object(o.params, `${at}.params`))) refParam(nm, `params.${role}`);
        for (const [k, x] of Object.entries(v.object(o.options, `${at}.options`))) {
          const ok = typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)) || (Array.isArray(x) && x.every((e) => typeof e === 'number' && Number.isFinite(e)));
          if (!ok) v.fail(`${at}.options.${k}`, 'expected a string, a boolean, a finite number or an array of them');
        }
        break;
      }
      case 'square':
        // a squared circuit's root: its child is an earlier node (the circuit c)
        if (!seen.has(v.string(o.child, `${at}.child`))) v.fail(`${at}.child`, `'${String(o.child)}' is not an earlier node`);
        if (o.parts !== undefined) {
          if (!Array.isArray(o.parts) || o.parts.length === 0) v.fail(`${at}.parts`, 'expected a non-empty array of node ids');
          (o.parts as unknown[]).forEach((c, j) => seen.has(v.string(c, `${at}.parts[${j}]`)) || v.fail(`${at}.parts[${j}]`, `'${String(c)}' is not an earlier node`));
        }
        if (o.monotone !== undefined && !seen.has(v.string(o.monotone, `${at}.monotone`))) v.fail(`${at}.monotone`, `'${String(o.monotone)}' is not an earlier node`);
        break;
      default:
        v.fail(`${at}.kind`, `node kind '${kind}' is not supported by this pmix`);
    }
    seen.add(id);
  });
  if (!seen.has(v.string(g.root, 'ir.root'))) v.fail('ir.root', 'does not name a node');
  return g as unknown as IRGraph;
}

const MAX_NESTING = 400;

/** The deepest nesting of arrays and objects in a JSON value (iterative: no recursion). */
function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d > max) max = d;
    if (max > MAX_NESTING) return max;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
  return max;
}

/** A source position, when present, is {line, column}: nothing else rides along (passes copy it). */
function checkSource(v: Validator, src: unknown, field: string): void {
  if (src === undefined) return;
  const o = v.object(src, field);
  v.int(o.line, `${field}.line`);
  v.int(o.column, `${field}.column`);
  const extra = Object.keys(o).find((k) => k !== 'line' && k !== 'column');
  if (extra !== undefined) v.fail(`${field}.${extra}`, 'a source position has only line and column');
}

class Validator {
  constructor(private readonly where: string) {}
  fail(field: string, message: string): never {
    throw new PmixError(`${this.where}: field ${field || '(top level)'}: ${message}`, 'bad-artifact');
  }
  object(x: unknown, field: string): Record<string, unknown> {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) this.fail(field, 'expected an object');
    return x as Record<string, unknown>;
  }
  array(x: unknown, field: string): unknown[] {
    if (!Array.isArray(x)) this.fail(field, 'expected an array');
    return x;
  }
  string(x: unknown, field: string): string {
    if (typeof x !== 'string') this.fail(field, 'expected a string');
    return x;
  }
  int(x: unknown, field: string): number {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) this.fail(field, 'expected a non-negative integer');
    return x;
  }
}

