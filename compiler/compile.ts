// Source text -> CompiledProgram: parse, then resolve every name (data sets, models, `let`
// constants, fit methods) and check what can be checked before data is loaded. Model bodies
// are type-checked and lowered to IR once their variables are known (lower.ts).
import type { DataDecl, Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { parseProgram } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import type { DataSpec } from './data-spec.js';
import { hostPath } from '../platform/host.js';
import { ConstantScope } from './constants.js';
import { fitSettings } from './fit-settings.js';
import type { CompiledProgram, ModelInfo, Step } from './program.js';

export interface CompileOptions {
  /** Replace the file of a data set: NAME -> path (as `pmix fit --data NAME=PATH`). */
  readonly dataOverrides?: Readonly<Record<string, string>>;
  /** Directory data paths are relative to; defaults to the model file's directory. */
  readonly baseDir?: string;
  /** When set, data files must lie inside this directory (the embedding API's sandbox). */
  readonly root?: string;
}

export function compile(source: string, file: string, opts: CompileOptions = {}): { program?: CompiledProgram; diagnostics: Diagnostic[] } {
  const { program: ast, diagnostics } = parseProgram(source, file);
  const diags: Diagnostic[] = [...diagnostics];
  const err = (code: string, message: string, span: Span | undefined, hint?: string): void => {
    diags.push({ severity: 'error', code, message, span, file, hint });
  };
  const { dirname, resolve } = hostPath();
  const baseDir = opts.baseDir ?? dirname(file);
  const consts = new ConstantScope(file);
  const constants = new Map<string, number | number[]>();
  const data = new Map<string, DataSpec>();
  const models = new Map<string, ModelInfo>();
  const steps: Step[] = [];
  const taken = new Map<string, string>();
  const declare = (name: string, what: string, span: Span): boolean => {
    const prior = taken.get(name);
    if (prior) {
      err('duplicate-name', `'${name}' is already defined as a ${prior}`, span);
      return false;
    }
    taken.set(name, what);
    return true;
  };

  for (const st of ast.statements) {
    switch (st.kind) {
      case 'let': {
        if (!declare(st.name.name, 'constant', st.name.span)) break;
        const v = consts.evaluate(st.value, diags);
        if (v === undefined) break;
        if (typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
          consts.define(st.name.name, v);
          constants.set(st.name.name, v as number | number[]);
        } else err('bad-value', `let '${st.name.name}' must be a number or a vector of numbers`, st.value.span);
        break;
      }
      case 'data': {
        if (!declare(st.name.name, 'data set', st.name.span)) break;
        const spec = dataSpec(st, baseDir, file, opts.dataOverrides?.[st.name.name], err);
        if (spec && opts.root !== undefined && !inside(resolve(opts.root), spec.path)) {
          err('sandbox', `data file '${st.path.value}' lies outside the allowed root '${opts.root}'`, st.path.span);
        } else if (spec) data.set(st.name.name, spec);
        break;
      }
      case 'model': {
        if (!declare(st.name.name, 'model', st.name.span)) break;
        const seen = new Set<string>();
        for (const v of st.vars ?? []) {
          if (seen.has(v.name)) err('duplicate-name', `variable '${v.name}' is listed twice`, v.span);
          seen.add(v.name);
        }
        models.set(st.name.name, { decl: st, vars: st.vars?.map((v) => v.name) });
        break;
      }
      case 'fit': {
        const model = models.get(st.model.name);
        if (!model && !ast.broken?.includes(st.model.name)) err('unknown-name', `unknown model '${st.model.name}'`, st.model.span, suggestionHint(st.model.name, models.keys()));
        const ds = data.get(st.data.name);
        if (!ds) err('unknown-name', `unknown data set '${st.data.name}'`, st.data.span, suggestionHint(st.data.name, data.keys()));
        if (ds && st.weights) {
          const col = ds.columns.find((c) => c.name === st.weights!.name);
          if (!col) {
            err('unknown-name', `data set '${ds.name}' has no column '${st.weights.name}' for weights`, st.weights.span, suggestionHint(st.weights.name, ds.columns.map((c) => c.name)));
          } else if (col.type.kind !== 'real' && col.type.kind !== 'int') {
            err('type-mismatch', `weights column '${st.weights.name}' must be real or int, not ${col.type.kind}`, st.weights.span);
          }
        }
        const settings = fitSettings({ name: st.method.name, span: st.method.span }, st.args, consts, file, diags);
        if (model && ds && settings) steps.push({ kind: 'fit', model: st.model.name, data: st.data.name, weights: st.weights?.name, settings, decl: st });
        break;
      }
      case 'query': {
        if (!models.has(st.model.name)) {
          if (!ast.broken?.includes(st.model.name)) err('unknown-name', `unknown model '${st.model.name}'`, st.model.span, suggestionHint(st.model.name, models.keys()));
          break;
        }
        steps.push({ kind: 'query', model: st.model.name, query: st.query, span: st.span, text: source.slice(st.query.span.startOffset, st.query.span.endOffset) });
        break;
      }
    }
  }
  const overridden = Object.keys(opts.dataOverrides ?? {}).filter((n) => !data.has(n));
  for (const n of overridden) {
    diags.push({ severity: 'error', code: 'unknown-name', message: `--data ${n}=...: the file declares no data set '${n}'`, file, hint: suggestionHint(n, data.keys()) });
  }
  if (diags.some((d) => d.severity === 'error')) return { diagnostics: diags };
  return { program: { file, source, data, models, steps, constants }, diagnostics: diags };
}

function dataSpec(
  st: DataDecl,
  baseDir: string,
  file: string,
  override: string | undefined,
  err: (code: string, message: string, span: Span | undefined, hint?: string) => void,
): DataSpec | undefined {
  const seen = new Set<string>();
  let ok = true;
  for (const c of st.columns) {
    if (seen.has(c.name.name)) {
      err('duplicate-name', `column '${c.name.name}' is declared twice`, c.name.span);
      ok = false;
    }
    seen.add(c.name.name);
    if (c.type.kind === 'categorical' && c.type.levels) {
      const lv = c.type.levels.map((l) => l.value);
      if (new Set(lv).size !== lv.length) {
        err('duplicate-name', `column '${c.name.name}' lists a level twice`, c.type.span);
        ok = false;
      }
      if (lv.length < 1) {
        err('bad-value', `column '${c.name.name}' needs at least one level`, c.type.span);
        ok = false;
      }
    }
  }
  if (st.columns.length === 0) {
    err('bad-value', `data set '${st.name.name}' declares no columns`, st.span);
    ok = false;
  }
  if (!ok) return undefined;
  const { isAbsolute, resolve } = hostPath();
  const raw = override ?? st.path.value;
  const path = isAbsolute(raw) || override ? resolve(raw) : resolve(baseDir, raw);
  return {
    name: st.name.name,
    path,
    file,
    pathSpan: override ? undefined : st.path.span,
    columns: st.columns.map((c) => ({
      name: c.name.name,
      span: c.name.span,
      type: c.type.kind === 'categorical' ? { kind: 'categorical' as const, levels: c.type.levels?.map((l) => l.value) } : { kind: c.type.kind },
    })),
  };
}

function inside(root: string, path: string): boolean {
  const { isAbsolute, relative, sep } = hostPath();
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
